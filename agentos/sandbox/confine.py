"""The last step before the `unshare` backend's command: Landlock, a seccomp filter, then exec.

A standalone script (standard library only, run as `python -I -S -B confine.py`) inside the
sandbox after `unshare -Urnm --mount-proc` and `setpriv`, and importable by the orchestrator for
`why_missing()`.

Landlock makes every write-like access (write, truncate, create, remove, rename, link) fail with
EACCES except beneath the directories given with `--dir` and on the files given with `--file`
(device nodes, the audit FIFO). Reads are not restricted: the sandbox's mounts already decide what
can be read. A landlocked process can neither write outside its rules nor mount, remount or
`pivot_root` at all. `--no-landlock` skips it where the kernel has none.

The seccomp filter (always) refuses new user namespaces: `unshare` and `clone` with
`CLONE_NEWUSER` fail with EPERM, and `clone3`, whose flags a filter cannot read, fails with ENOSYS
(the C library then falls back to `clone`). System calls of another ABI (32-bit, x32) fail with
ENOSYS, so they cannot go around it. Without a user namespace of its own, the command holds no
capability anywhere, so it cannot make mount or other namespaces either.

Usage: `confine.py [--no-landlock] --dir=/sandbox/output --dir=/tmp --file=/dev/null -- argv...`.
"""

import ctypes
import os
import sys

# Syscall numbers are the same on x86_64 and aarch64 (new generic syscalls).
SYS_CREATE_RULESET, SYS_ADD_RULE, SYS_RESTRICT_SELF = 444, 445, 446
CREATE_RULESET_VERSION = 1
RULE_PATH_BENEATH = 1
PR_SET_NO_NEW_PRIVS = 38

WRITE_FILE, REMOVE_DIR, REMOVE_FILE = 1 << 1, 1 << 4, 1 << 5
MAKE = sum(1 << bit for bit in range(6, 13))  # char, dir, reg, sock, fifo, block, sym
REFER, TRUNCATE = 1 << 13, 1 << 14  # ABI 2, ABI 3
FAILED = 126

# seccomp: classic BPF over struct seccomp_data {int nr; u32 arch; u64 ip; u64 args[6]}
PR_SET_SECCOMP, SECCOMP_MODE_FILTER = 22, 2
RET_ALLOW, RET_ERRNO = 0x7FFF0000, 0x00050000
LD_ABS, JEQ, JGE, JSET, RET = 0x20, 0x15, 0x35, 0x45, 0x06
EPERM, ENOSYS = 1, 38
CLONE_NEWUSER = 0x10000000
X32_BIT = 0x40000000
# machine: (audit arch, unshare, clone, clone3)
SYSCALLS = {
    "x86_64": (0xC000003E, 272, 56, 435),
    "aarch64": (0xC00000B7, 97, 220, 435),
}


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64)]


class _PathBeneathAttr(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


_libc = ctypes.CDLL(None, use_errno=True)


def abi_version() -> int:
    """The kernel's Landlock ABI version, or 0 when Landlock is absent or disabled."""
    version = _libc.syscall(
        SYS_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(CREATE_RULESET_VERSION)
    )
    return max(int(version), 0)


def why_missing() -> str | None:
    """Why Landlock cannot be used here, or None."""
    if abi_version() > 0:
        return None
    err = ctypes.get_errno()
    return (
        f"the kernel has no Landlock ({os.strerror(err)}); needs Linux >= 5.13 with "
        "CONFIG_SECURITY_LANDLOCK=y and landlock in the lsm= boot list"
    )


def _check(result: int, what: str) -> int:
    """`result`, or an OSError naming `what` and errno when the call failed (returned < 0)."""
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")
    return result


def restrict_writes(dirs: list[str], files: list[str]) -> int:
    """Confine this process (and every later child) so that it writes only under `dirs` and to
    `files`. Returns the ABI version used; raises `OSError` when Landlock refuses."""
    abi = abi_version()
    if abi == 0:
        raise OSError(ctypes.get_errno(), "landlock is not available")
    handled = WRITE_FILE | REMOVE_DIR | REMOVE_FILE | MAKE
    handled |= REFER if abi >= 2 else 0
    handled |= TRUNCATE if abi >= 3 else 0
    attr = _RulesetAttr(handled_access_fs=handled)
    ruleset = _check(
        _libc.syscall(SYS_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(8), 0),
        "landlock ruleset",
    )
    try:
        for path, allowed in [(d, handled) for d in dirs] + [
            (f, handled & (WRITE_FILE | TRUNCATE)) for f in files
        ]:
            fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
            try:
                rule = _PathBeneathAttr(allowed_access=allowed, parent_fd=fd)
                _check(
                    _libc.syscall(SYS_ADD_RULE, ruleset, RULE_PATH_BENEATH, ctypes.byref(rule), 0),
                    f"landlock rule for {path}",
                )
            finally:
                os.close(fd)
        _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "landlock no_new_privs")
        _check(_libc.syscall(SYS_RESTRICT_SELF, ruleset, 0), "landlock restrict_self")
    finally:
        os.close(ruleset)
    return abi


class _Insn(ctypes.Structure):
    _fields_ = [
        ("code", ctypes.c_uint16),
        ("jt", ctypes.c_uint8),
        ("jf", ctypes.c_uint8),
        ("k", ctypes.c_uint32),
    ]


class _Prog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.POINTER(_Insn))]


def filter_program(machine: str) -> list[tuple[int, int, int, int]]:
    """The filter, as (code, jump if true, jump if false, k) instructions."""
    arch, unshare, clone, clone3 = SYSCALLS[machine]
    return [
        (LD_ABS, 0, 0, 4),  # 0: arch
        (JEQ, 1, 0, arch),
        (RET, 0, 0, RET_ERRNO | ENOSYS),  # another ABI
        (LD_ABS, 0, 0, 0),  # 3: syscall number
        (JGE, 0, 1, X32_BIT),
        (RET, 0, 0, RET_ERRNO | ENOSYS),  # x32
        (JEQ, 0, 1, clone3),
        (RET, 0, 0, RET_ERRNO | ENOSYS),
        (JEQ, 2, 0, unshare),
        (JEQ, 1, 0, clone),
        (RET, 0, 0, RET_ALLOW),
        (LD_ABS, 0, 0, 16),  # 11: the low half of args[0], the flags
        (JSET, 0, 1, CLONE_NEWUSER),
        (RET, 0, 0, RET_ERRNO | EPERM),
        (RET, 0, 0, RET_ALLOW),
    ]


def deny_user_namespaces() -> None:
    """Install the filter on this process and every later child; raises `OSError` if refused."""
    machine = os.uname().machine
    if machine not in SYSCALLS:
        raise OSError(ENOSYS, f"no seccomp filter for {machine}")
    insns = filter_program(machine)
    table = (_Insn * len(insns))(*(_Insn(*i) for i in insns))
    prog = _Prog(len(insns), table)
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "seccomp no_new_privs")
    _check(
        _libc.prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, ctypes.byref(prog), 0, 0), "seccomp filter"
    )


def main(args: list[str]) -> None:
    dirs: list[str] = []
    files: list[str] = []
    use_landlock = True
    while args and args[0] != "--":
        key, _, value = args.pop(0).partition("=")
        if key == "--dir":
            dirs.append(value)
        elif key == "--file":
            files.append(value)
        elif key == "--no-landlock":
            use_landlock = False
        else:
            raise SystemExit(f"agentos confine: unknown option {key}")
    argv = args[1:]
    try:
        if use_landlock:
            restrict_writes(dirs, files)
        deny_user_namespaces()
    except OSError as err:  # fail closed: never run the command unconfined
        os.write(2, f"agentos confine: {err}\n".encode())
        os._exit(FAILED)
    try:
        os.execvp(argv[0], argv)
    except OSError as err:
        os.write(2, f"agentos confine: cannot run {argv[0]!r}: {err.strerror}\n".encode())
        os._exit(127)


if __name__ == "__main__":
    main(sys.argv[1:])
