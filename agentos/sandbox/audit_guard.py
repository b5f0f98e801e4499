"""The forgery guard, installed by the audit hook (`audit_hook.py`) in every audited interpreter
whose environment sets `AGENTOS_EDITABLE`; copied as `agentos_audit_guard.py` beside the hook's
`sitecustomize.py`. Standard library only, valid in every CPython from 3.9, never imported by
agentos itself.

`AGENTOS_EDITABLE` is a regex over snapshot-relative paths (the task's editable files); the guard
protects the evaluator against the code it imports (docs/forgery.md). Code runs "for an editable
file" when a frame of that file is on the stack (or it runs in a thread that such code started);
what it does that could forge the result is reported as `A <pid> <reason as hex>`: writing into
`$AGENTOS_OUTPUT` or the working folder, signalling, starting a process, registering an exit or
signal handler, patching a class or function it does not own, tracing, reaching for frames, the
garbage collector or ctypes, making code objects under another file's name. `sys.stdout` is
replaced at start by a `TextIOWrapper` over the same buffer that sends, for each line matching
`AGENTOS_METRIC_LINE`, `M <pid> <line as hex>` when no editable code wrote it (an `A` otherwise).
At exit, in an `atexit` handler registered before any other so it runs last, functions and classes
bound in the standard library, `__main__` and the snapshot's other modules are compared with what
they were bound to before the first editable module ran, and `E <pid>` says the interpreter ended
through the orderly exit path: its absence means `os._exit`, a signal or a crash.
"""

from __future__ import annotations

import os
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


def install(
    emit: Callable[[str], None], root: str, editable_regex: str, metric_regex: str | None
) -> None:
    import _signal  # type: ignore[import-not-found]
    import _thread
    import atexit
    import io
    import re
    import threading
    import types

    editable = re.compile(editable_regex)
    metric = re.compile(metric_regex, re.MULTILINE) if metric_regex else None
    stdlib = os.path.dirname(os.__file__) + "/"
    # where installed code lives: every folder on the path at start outside the standard library
    # and the snapshot (site-packages, a `--target` or PYTHONPATH folder); '-packages/' as well
    path = {os.path.join(os.path.abspath(p), "") for p in sys.path if p and os.path.isdir(p)}
    installed = tuple(p for p in path if not p.startswith(stdlib) and not root.startswith(p)
                      and not p.startswith(root))
    own = os.path.abspath(__file__)
    output = os.environ.get("AGENTOS_OUTPUT", "/nonexistent").rstrip("/") + "/"
    channel = os.path.dirname(os.environ.get("AGENTOS_AUDIT", ":/nonexistent/x").split(":", 1)[1])
    getframe = sys._getframe
    local = threading.local()
    state: dict[str, Any] = {"taint": None, "fork": None, "exiting": False, "snap": None}
    files: dict[str, str] = {}
    reported: set[str] = set()

    def owned(filename: str) -> str:  # the snapshot-relative path of an editable file, else ""
        rel = files.get(filename)
        if rel is None:
            rel = ""
            if filename.startswith(root) and editable.fullmatch(filename[len(root) :]):
                rel = filename[len(root) :]
            files[filename] = rel
        return rel

    def taint() -> str | None:
        found: str | None = getattr(local, "taint", None) or state["taint"]
        return found

    def anywhere(frame: Any) -> str | None:  # an editable frame anywhere on the stack
        while frame is not None:
            rel = owned(frame.f_code.co_filename)
            if rel:
                return f"{rel}:{frame.f_lineno}"
            frame = frame.f_back
        return taint()

    def package(name: str) -> bool:  # a file of installed code
        return "-packages/" in name or name.startswith(installed)

    def library(name: str) -> bool:
        return name.startswith(stdlib) and not package(name)

    def nearest(frame: Any, skip: Callable[[str], bool] = library) -> str | None:
        """The first frame outside the standard library decides; what an import does on its own
        (loading bytecode, a shared library) belongs to the module imported, not its importer."""
        while frame is not None:
            name = frame.f_code.co_filename
            if name.startswith("<frozen importlib"):
                return None
            if name.startswith("<") or name == own or skip(name):
                frame = frame.f_back
                continue
            rel = owned(name)
            return f"{rel}:{frame.f_lineno}" if rel else taint()
        return taint()

    def direct(frame: Any) -> str | None:  # the caller itself (through `inspect` at most)
        return nearest(frame, lambda name: name.endswith("/inspect.py"))

    def report(site: str, what: str) -> None:
        text = f"{site} {what}"[:900]
        if text not in reported:
            reported.add(text)
            emit(f"A {os.getpid()} {text.encode('utf-8', 'replace').hex()}\n")

    def caller(how: Callable[[Any], str | None], depth: int = 2) -> str | None:
        local.busy = True
        try:
            return how(getframe(depth))
        except ValueError:  # no Python frame below: the interpreter itself
            return taint()
        finally:
            local.busy = False

    def guarded_path(path: Any) -> str | None:
        if isinstance(path, int):
            try:
                path = os.readlink(f"/proc/self/fd/{path}")
            except OSError:
                return None
        if isinstance(path, os.PathLike):
            path = os.fspath(path)
        if not isinstance(path, (str, bytes)):
            return None
        full = os.path.abspath(os.fsdecode(path))
        if full.startswith(output):
            return "$AGENTOS_OUTPUT/" + full[len(output) :]
        if full.startswith(root) or full == root.rstrip("/"):
            return full[len(root) :] or "."
        return None

    def writing(mode: Any, flags: Any) -> bool:
        if isinstance(mode, str):
            return any(c in mode for c in "wax+")
        if not isinstance(flags, int):
            return False
        return bool(flags & (os.O_ACCMODE | os.O_CREAT | os.O_TRUNC | os.O_APPEND))

    changing = {"os.rename": "renamed", "os.remove": "removed", "os.rmdir": "removed",
                "os.truncate": "truncated", "os.link": "linked", "os.symlink": "linked",
                "os.chmod": "changed the mode of", "os.utime": "changed the time of",
                "os.mkdir": "made", "shutil.rmtree": "removed"}
    processes = {"subprocess.Popen", "os.system", "os.exec", "os.spawn", "os.posix_spawn",
                 "os.forkpty", "pty.spawn", "os.startfile"}
    peeking = {"sys._getframe", "sys._current_frames", "sys._current_exceptions",
               "gc.get_referrers", "gc.get_referents", "gc.get_objects"}
    code_making = {"code.__new__", "marshal.loads", "marshal.load"}
    patching = {"object.__setattr__", "object.__delattr__"}
    watched = (set(changing) | processes | peeking | code_making | patching
               | {"open", "os.listdir", "os.scandir", "os.kill", "os.killpg", "os.fork", "exec",
                  "signal.pthread_kill", "sys.settrace", "sys.setprofile", "compile"})

    def mine(obj: Any) -> bool:
        """An object the editable files own: their classes, functions, instances."""
        code = getattr(obj, "__code__", None)
        if isinstance(code, types.CodeType):
            return bool(owned(code.co_filename))
        cls = obj if isinstance(obj, type) else type(obj)
        module = sys.modules.get(getattr(cls, "__module__", None) or "")
        return bool(owned(getattr(module, "__file__", None) or ""))

    def describe(obj: Any) -> str:
        if isinstance(obj, type):
            return f"{obj.__module__}.{obj.__qualname__}"
        module = getattr(obj, "__module__", None)
        if not isinstance(module, str):
            module = type(obj).__module__
        return f"{module}.{getattr(obj, '__qualname__', type(obj).__qualname__)}"

    def guard_hook(event: str, args: tuple[Any, ...]) -> None:
        if getattr(local, "busy", False):
            return
        if event not in watched and not event.startswith("ctypes."):
            return
        if event in ("os.listdir", "os.scandir"):  # a library listing its own data is reading
            if str(args[0]).rstrip("/").endswith("/fd"):
                site = caller(anywhere)
                if site:
                    report(site, f"listed the process's open descriptors ({args[0]})")
        elif event == "open" or event in changing:
            path = args[0]
            if event == "open" and not writing(args[1], args[2]):
                return
            if isinstance(path, (str, bytes)) and os.fsdecode(path).startswith(channel):
                report(caller(anywhere) or "the run", "opened the audit channel for writing")
                return
            shown = guarded_path(path)
            if shown is None:
                return
            site = caller(anywhere)
            verb = "opened for writing" if event == "open" else changing[event]
            if site:
                report(site, f"{verb} {shown}")
            elif state["exiting"]:
                report("exit", f"code {verb} {shown} after the evaluator's main code had ended")
        elif event in ("os.kill", "os.killpg", "signal.pthread_kill"):
            site = caller(anywhere)
            if site:
                report(site, f"sent signal {args[1]} ({event})")
        elif event == "os.fork":
            state["fork"] = caller(anywhere)
        elif event == "exec":
            code = args[0]
            if isinstance(code, types.CodeType) and owned(code.co_filename):
                snapshot()
        elif event == "compile":
            name = args[1]
            if not isinstance(name, (str, bytes)) or os.fsdecode(name).startswith("<"):
                return
            name = os.fsdecode(name)
            if owned(name):
                return
            site = caller(nearest)
            if site and not same_source(name, args[0]):
                report(site, f"compiled code under the name of {name}")
        elif event in patching:
            target = args[0]
            if mine(target):
                return
            site = caller(direct)  # not through the standard library: namedtuple sets its class
            if site:
                verb = "set" if event == "object.__setattr__" else "deleted"
                report(site, f"{verb} {describe(target)}.{args[1]} (code it does not own)")
        else:
            how = direct if event in peeking else nearest
            site = caller(how)
            if site:
                report(site, f"used {event}")

    def same_source(name: str, source: Any) -> bool:
        try:
            with open(name, "rb") as fh:
                data = fh.read()
        except OSError:
            return False
        if isinstance(source, str):
            source = source.encode("utf-8")
        return isinstance(source, bytes) and source == data

    # Modules whose functions and classes editable code must leave alone: the standard library,
    # `__main__`, the snapshot's other modules, pytest's, agentos' (its harnesses) and
    # `torch.nn.functional` (the trainer's loss); bound before the first editable module runs.
    def watched_module(name: str, module: Any) -> bool:
        file = getattr(module, "__file__", None)
        if name == "sys" or not isinstance(module, types.ModuleType):
            return False
        spec = getattr(module, "__spec__", None)
        if spec is not None and getattr(spec, "_initializing", False):
            return False
        if name in ("__main__", "torch.nn.functional") or name.split(".")[0] in (
                "pytest", "_pytest", "agentos"):
            return True
        if not isinstance(file, str):
            return name in sys.builtin_module_names
        return library(file) or (file.startswith(root) and not owned(file))

    def bindings(name: str, module: Any) -> list[tuple[Any, str, Any, str]]:
        """(namespace, key, value, label) for each function, class and module bound in `module`,
        and each callable in the dictionary of a class defined there (its methods)."""
        try:
            items = list(vars(module).items())
        except TypeError:
            return []
        found = []
        for key, value in items:
            if not isinstance(key, str) or key.startswith("__"):
                continue
            if callable(value) or isinstance(value, types.ModuleType):
                found.append((module, key, value, f"{name}.{key}"))
            if isinstance(value, type) and getattr(value, "__module__", None) == name:
                found += [(value, k, v, f"{name}.{key}.{k}") for k, v in vars(value).items()
                          if isinstance(k, str) and callable(v)]
        return found

    skipped: set[str] = set()

    def snapshot(first: bool = False) -> None:
        snap = state["snap"]
        if snap is None:
            snap = state["snap"] = {}
        if len(sys.modules) == state.get("modules"):
            return  # nothing imported since the last look
        state["modules"] = len(sys.modules)
        for name, module in list(sys.modules.items()):
            if name in snap or name in skipped:
                continue
            if first and name == "__main__":
                state["modules"] = None  # not yet run: taken when the first editable module runs
            elif watched_module(name, module):
                snap[name] = bindings(name, module)
            elif getattr(getattr(module, "__spec__", None), "_initializing", False) is False:
                skipped.add(name)

    def compare() -> None:
        for entries in list((state["snap"] or {}).values()):
            for space, key, value, label in entries:
                new = vars(space).get(key, None)
                if new is value:
                    continue
                where = getattr(getattr(new, "__code__", None), "co_filename", "") or ""
                if package(where) and not where.startswith(root):
                    # an installed package's own function: that package patched it as it loaded
                    # (torch's compiler rebinds `inspect.getfile`), not the candidate
                    continue
                by = owned(where)
                report(by or "the run", f"replaced {label}"
                       + ("" if by else " (outside the editable files)"))

    # Callbacks: an exit or signal handler from editable code is refused; a thread it starts runs
    # as editable code; so does a process it forks.
    real_register = atexit.register
    real_signal = _signal.signal

    def register(func: Any, *args: Any, **kwargs: Any) -> Any:
        site = caller(nearest)
        if site:
            report(site, "registered an exit handler (atexit)")
        return real_register(func, *args, **kwargs)

    def signal_(signalnum: Any, handler: Any) -> Any:
        site = caller(nearest)
        if site:
            report(site, f"installed a handler for signal {int(signalnum)}")
        return real_signal(signalnum, handler)

    def threads(real: Any) -> Any:
        def start(function: Any, *args: Any, **kwargs: Any) -> Any:
            site = caller(anywhere)
            if not site:
                return real(function, *args, **kwargs)

            def run(*a: Any, **k: Any) -> Any:
                local.taint = site
                return function(*a, **k)

            return real(run, *args, **kwargs)

        return start

    for module, names in ((_thread, ("start_new_thread", "start_new", "start_joinable_thread")),
                          (threading, ("_start_new_thread", "_start_joinable_thread"))):
        for name in names:
            if hasattr(module, name):
                setattr(module, name, threads(getattr(module, name)))

    def after_fork() -> None:
        if state["fork"]:
            state["taint"] = state["fork"]

    os.register_at_fork(after_in_child=after_fork)
    real_shutdown = threading._shutdown  # type: ignore[attr-defined]

    def shutdown() -> Any:
        state["exiting"] = True
        return real_shutdown()

    class Stdout(io.TextIOWrapper):
        """sys.stdout: the same stream, which tells who wrote each metric line."""

        agentos_line = ""
        agentos_site: str | None = None

        def write(self, s: str) -> int:
            if metric is not None and isinstance(s, str):
                site = caller(anywhere) or ("exit" if state["exiting"] else None)
                *lines, rest = (self.agentos_line + s).split("\n")
                mark = self.agentos_site or site
                for line in lines:
                    check(line, mark)
                    mark = site
                self.agentos_line, self.agentos_site = rest[-4096:], (mark if rest else None)
            return super().write(s)

    def check(line: str, site: str | None) -> None:
        if metric is None or not metric.search(line):
            return
        if site == "exit":
            report("exit", f"code printed the metric line {line[:200]!r} after the main code ended")
        elif site:
            report(site, f"printed the metric line {line[:200]!r}")
        else:
            emit(f"M {os.getpid()} {line[:1000].encode('utf-8', 'replace').hex()}\n")

    real_out = sys.stdout
    if metric is not None and isinstance(real_out, io.TextIOWrapper):
        real_out.flush()
        guard = Stdout(real_out.buffer, encoding=real_out.encoding, errors=real_out.errors,
                       line_buffering=real_out.line_buffering,
                       write_through=real_out.write_through)
        state["stdout"] = real_out  # kept alive: collecting it would close the buffer
        state["snap"] = {" guard": [(Stdout, k, v, f"the guard's sys.stdout.{k}")
                                    for k, v in vars(Stdout).items() if callable(v)]}
        sys.stdout = guard
        setattr(sys, "__stdout__", guard)  # noqa: B010 (a final name for mypy)

    def finished() -> None:
        compare()
        emit(f"E {os.getpid()}\n")

    real_register(finished)  # first registered, so it runs last
    atexit.register = register  # type: ignore[assignment]
    _signal.signal = signal_
    threading._shutdown = shutdown  # type: ignore[attr-defined]
    snapshot(first=True)
    sys.addaudithook(guard_hook)
