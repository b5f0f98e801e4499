"""`agentos init`: look at a repository and write an `agentos.toml` whose every path exists.

`detect` reads the committed files (`layout`: the package, the tests and the tool configuration;
`scripts`: the environment, the evaluator, the settings) into a `Detection`; `write` decides the
task from it, renders the commented file and lists what the user must still add.
"""

from agentos.init.detect import detect, skill_files
from agentos.init.found import Detection
from agentos.init.write import InitResult, init_task

__all__ = ["Detection", "InitResult", "detect", "init_task", "skill_files"]
