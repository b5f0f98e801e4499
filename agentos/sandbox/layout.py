"""What a namespaced sandbox can see: system directories, a few /etc files, the interpreter.

The isolating backends build the sandbox's root from nothing and bind these read-only; everything
else on the host (home directories, `/root`, the user's repository, the ledger, credentials) is
simply absent. The interpreter is found from `sys.prefix`, `sys.base_prefix` and the real path of
`sys.executable`, never hard-coded, so a pyenv interpreter under `/root` and a venv elsewhere work.
"""

from __future__ import annotations

import glob
import os
import sys

# Fixed paths inside the sandbox.
TREE = "/sandbox/tree"
OUTPUT = "/sandbox/output"
AUDIT_SITE = "/run/agentos/audit"

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


def interpreter_roots() -> list[str]:
    """Directories holding the running interpreter, its standard library and its venv."""
    roots: list[str] = []
    exe = os.path.realpath(sys.executable)
    for path in (sys.prefix, sys.base_prefix, sys.exec_prefix, os.path.dirname(exe)):
        real = os.path.realpath(path)
        if path.startswith(SYSTEM_DIRS) or real.startswith(SYSTEM_DIRS):
            continue
        for candidate in {os.path.abspath(path), real}:
            if os.path.isdir(candidate) and not any(
                candidate == r or candidate.startswith(r + "/") for r in roots
            ):
                roots = [r for r in roots if not r.startswith(candidate + "/")] + [candidate]
    return sorted(roots)


def system_dirs() -> list[str]:
    """System directories that exist here (symlinks such as /bin -> usr/bin are kept as links)."""
    return [d for d in SYSTEM_DIRS if os.path.lexists(d)]


def etc_entries() -> list[str]:
    return [f"/etc/{name}" for name in ETC_FILES if os.path.lexists(f"/etc/{name}")]


def gpu_devices() -> list[str]:
    """NVIDIA device nodes, bound into the sandbox only when the run asks for a GPU."""
    return sorted(glob.glob("/dev/nvidia*")) + sorted(glob.glob("/dev/dri/*"))
