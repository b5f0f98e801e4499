"""Build a sandbox root in a private mount namespace, drop to a non-root uid, then run `unshare`.

A standalone script (standard library only) that the `unshare` backend runs as real root inside
`unshare --mount --propagation private`. Its one argument is a JSON spec written by the backend:
`root` (an empty directory to build in), `binds` ([source, target, writable]), `symlinks` ([target,
link]), `uid`, `gid`, `parent` (pid whose death must end the run) and `argv`.

Steps: a tmpfs at `root`; every bind, then remounted read-only, nosuid, nodev unless writable; a
private tmpfs /tmp; the tmpfs itself read-only; `pivot_root` into it and detach the old root (so
nothing of the host is reachable, unlike `chroot`); drop every group, then to `uid`/`gid`; re-arm
the parent-death signal (a uid change clears it); exec `argv` (the backend's `unshare -Urnm ...`).
"""

import ctypes
import json
import os
import platform
import signal
import sys

MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT = 1, 2, 4, 8, 32
MS_BIND, MS_REC, MS_PRIVATE = 4096, 16384, 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1
SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41}

libc = ctypes.CDLL(None, use_errno=True)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def mount(source: str | None, target: str, fstype: str | None, flags: int, data: str = "") -> None:
    enc = [s.encode() if s is not None else None for s in (source, target, fstype, data)]
    _check(libc.mount(enc[0], enc[1], enc[2], flags, enc[3]), f"mount {source} on {target}")


def make_target(path: str, like: str) -> None:
    if os.path.isdir(like):
        os.makedirs(path, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if not os.path.exists(path):
            open(path, "a").close()  # an empty file to mount on


def main(spec_path: str) -> None:
    with open(spec_path) as fh:
        spec = json.load(fh)
    root = spec["root"]
    mount(None, "/", None, MS_REC | MS_PRIVATE)
    mount("agentos", root, "tmpfs", MS_NOSUID | MS_NODEV, "mode=0755")
    # the private /tmp first, so that binds below it (a venv under /tmp) land inside it
    os.makedirs(root + "/tmp")
    mount("tmp", root + "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
    for source, target, writable in spec["binds"]:
        dest = root + target
        make_target(dest, source)
        mount(source, dest, None, MS_BIND | MS_REC)
        flags = MS_BIND | MS_REMOUNT | MS_NOSUID | (0 if writable else MS_RDONLY)
        if not target.startswith("/dev/"):
            flags |= MS_NODEV
        mount(None, dest, None, flags)
    for target, link in spec["symlinks"]:
        os.symlink(target, root + link)
    for path in ("/proc", "/dev/shm", "/old"):
        os.makedirs(root + path, exist_ok=True)
    # unshare writes its uid map through /proc; the inner --mount-proc covers this one for good.
    mount("proc", root + "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)
    mount("shm", root + "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV, "mode=1777")
    os.makedirs(root + "/tmp/home")
    os.chown(root + "/tmp/home", spec["uid"], spec["gid"])
    mount(None, root, None, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV)
    os.chdir(root)
    _check(libc.syscall(SYS_PIVOT_ROOT[platform.machine()], b".", b"old"), "pivot_root")
    _check(libc.umount2(b"/old", MNT_DETACH), "umount old root")
    os.chdir(spec["cwd"])
    os.setgroups([])
    os.setresgid(spec["gid"], spec["gid"], spec["gid"])
    os.setresuid(spec["uid"], spec["uid"], spec["uid"])
    _check(libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0), "prctl")
    if os.getppid() != spec["parent"]:
        os._exit(125)
    os.execve(spec["argv"][0], spec["argv"], dict(spec["env"]))


if __name__ == "__main__":
    main(sys.argv[1])
