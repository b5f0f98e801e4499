"""The `agentos` command line (`agentos.cli.main:main`): the commands (`main`, `tuning`), how they
print (`output`) and the live display of a run (`progress`). Nothing in the library imports it."""
