"""What a namespaced sandbox can see: system directories, a few /etc files, the interpreters.

The isolating backends build the sandbox's root from nothing and bind these read-only; everything
else on the host (home directories, `/root`, the user's repository, the ledger, credentials) is
simply absent. The interpreters' folders come from asking them (`agentos.sandbox.interpreter`),
never hard-coded, so a pyenv interpreter under `/root` and a venv elsewhere work.
"""

from __future__ import annotations

import glob
import os
import re
from pathlib import Path

# Fixed paths inside the sandbox.
TREE = "/sandbox/tree"
OUTPUT = "/sandbox/output"
AUDIT_SITE = "/run/agentos/audit"
# The run's writable copy of the snapshot (`RunRequest.work`) is mounted at TREE instead.

SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/opt")

# /etc holds secrets on some hosts (shadow, ssh keys, tokens): only what programs need to start.
ETC_FILES = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "passwd",
    "group",
    "nsswitch.conf",
    "localtime",
    "alternatives",
    "ssl",
    "ca-certificates",
    "mime.types",
    "protocols",
    "services",
    "hosts",
    "host.conf",
    "gai.conf",
    "os-release",
    "debian_version",
    "fonts",
    "matplotlibrc",
    "python3",
    "python3.11",
    "magic",
    "magic.mime",
)


def system_dirs() -> list[str]:
    """System directories that exist here (symlinks such as /bin -> usr/bin are kept as links)."""
    return [d for d in SYSTEM_DIRS if os.path.lexists(d)]


def etc_entries() -> list[str]:
    return [f"/etc/{name}" for name in ETC_FILES if os.path.lexists(f"/etc/{name}")]


def gpu_devices(only: tuple[str, ...] | None = None) -> list[str]:
    """NVIDIA device nodes, bound into the sandbox only when the run asks for a GPU. With `only`
    (GPU indices), the control nodes and those GPUs' own `/dev/nvidia<N>`, nothing of another."""
    nodes = sorted(glob.glob("/dev/nvidia*"))
    if only is None:
        return nodes + sorted(glob.glob("/dev/dri/*"))
    return [n for n in nodes if not re.fullmatch(r"/dev/nvidia\d+", n) or n[11:] in only]


def import_dirs(tree: Path, inside: str) -> list[str]:
    """The candidate's folders for the front of the import path, as the sandbox names them: the
    snapshot, and its `src/` in a src layout (a `src` folder that is not itself a package)."""
    src = tree / "src"
    if src.is_dir() and not (src / "__init__.py").exists():
        return [inside, f"{inside}/src"]
    return [inside]
