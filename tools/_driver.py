"""The trusted launcher for a Python tool inside a sandbox (run as `python -I -B -c <this file>`).

It is passed as text, never imported from the candidate's tree, and `-I` keeps the tree off
`sys.path`, so a candidate cannot shadow `ruff`, `mypy` or `pytest` with a module of the same name.
It writes the trusted files it is given (configs) into `$AGENTOS_OUTPUT`, outside the tree, names
the working directory on stderr (so findings can be made relative to the snapshot), then runs the
tool's module as `__main__` with `{out}` in its arguments replaced by the output directory; or,
given `steps`, runs several modules one after the other, each one's stdout into a file there.
Standard library only.
"""

import json
import os
import runpy
import subprocess
import sys

CWD_MARK = "agentos-cwd: "


def main() -> None:
    spec = json.loads(sys.argv[1])
    out = os.environ["AGENTOS_OUTPUT"]
    for name, text in spec["files"].items():
        with open(os.path.join(out, name), "w", encoding="utf-8") as fh:
            fh.write(text)
    for name in spec.get("unset", []):
        os.environ.pop(name, None)
    sys.stderr.write(CWD_MARK + os.getcwd() + "\n")
    sys.stderr.flush()
    if "steps" in spec:
        codes = []
        for step in spec["steps"]:
            argv = [sys.executable, "-I", "-B", "-m", step["module"]]
            argv += [a.replace("{out}", out) for a in step["args"]]
            with open(os.path.join(out, step["stdout"]), "wb") as fh:
                codes.append(subprocess.run(argv, stdout=fh, check=False).returncode)
        with open(os.path.join(out, "steps.json"), "w", encoding="utf-8") as fh:
            json.dump(codes, fh)
        return
    sys.argv = [spec["module"], *(a.replace("{out}", out) for a in spec["args"])]
    runpy.run_module(spec["module"], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
