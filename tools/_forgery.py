"""The static gate's forgery rules: constructs by which code the evaluator imports reaches for the
evaluator's result (docs/forgery.md, "Static rules"). Each rule has a name, reported as the finding
code `forgery-<rule>`; like every static finding, only those a candidate adds count.

Names are resolved through the file's imports (`import os as o; o._exit(0)` and `from os import
_exit` are `os._exit`). The rules see the source, not what runs: a name built at run time
(`getattr(os, "_" + "exit")`) passes them, and the run-time guard is what catches it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

# rule -> what the finding says (no line numbers: findings are matched by the line's text)
RULES = {
    "exit": "ends or signals the process (the evaluator's own code must finish and report)",
    "stream": "replaces or redirects the standard streams the metric is read from",
    "exit-hook": "registers code to run at exit, on a signal or on every call",
    "output": "names the evaluator's output ($AGENTOS_OUTPUT, the metric file)",
    "evaluator": "reaches into the evaluator, pytest or the interpreter's own modules",
    "frames": "reaches for frames, the garbage collector or code objects",
    "patch": "rebinds a function or class attribute of a module it does not own",
}
ANYWHERE_CALLS = {
    "exit": ("os._exit", "os.abort", "os.kill", "os.killpg", "signal.raise_signal",
             "signal.pthread_kill", "signal.alarm", "signal.setitimer", "os.fork", "os.forkpty",
             "os.posix_spawn", "os.posix_spawnp", "pty.spawn", "faulthandler.enable"),
    "stream": ("contextlib.redirect_stdout", "contextlib.redirect_stderr", "os.dup2", "os.dup",
               "sys.stdout.reconfigure", "sys.stdout.detach", "sys.stdout.close"),
    "exit-hook": ("atexit.register", "signal.signal", "weakref.finalize", "sys.settrace",
                  "sys.setprofile", "threading.settrace", "threading.setprofile",
                  "threading._register_atexit", "sys.addaudithook", "os.register_at_fork"),
    "frames": ("sys._getframe", "sys._current_frames", "inspect.currentframe", "inspect.stack",
               "inspect.getouterframes", "gc.get_referrers", "gc.get_referents",
               "gc.get_objects", "types.CodeType", "types.FunctionType", "marshal.loads",
               "importlib.reload"),
}
MODULE_LEVEL_CALLS = ("sys.exit", "exit", "quit")
STREAMS = {"sys.stdout", "sys.stderr", "sys.__stdout__", "sys.__stderr__", "sys.stdin",
           "sys.displayhook", "sys.excepthook", "builtins.print", "print"}
FRAME_ATTRS = {"f_back", "f_locals", "f_globals", "f_builtins", "f_code", "tb_frame",
               "gi_frame", "cr_frame", "ag_frame", "__code__", "__closure__", "__globals__",
               "co_code", "__builtins__"}
REACH_MODULES = ("_pytest", "__main__", "sitecustomize", "agentos_audit_guard", "builtins", "gc",
                 "marshal")
PATCH_ALWAYS = ("builtins", "sys", "os", "io", "json", "math", "atexit", "signal", "_pytest",
                "pytest", "__main__", "numpy", "torch.nn.functional")


def dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


class _Visitor(ast.NodeVisitor):
    def __init__(self, evaluator: frozenset[str], output_names: frozenset[str], tests: bool):
        self.found: list[tuple[str, int, str]] = []
        self.aliases: dict[str, str] = {}
        self.local_defs: set[str] = set()
        self.depth = 0  # inside a def or a class body
        self.main = 0  # inside `if __name__ == "__main__":`
        self.evaluator = evaluator
        self.output_names = output_names
        self.tests = tests

    def add(self, rule: str, node: ast.AST, what: str) -> None:
        self.found.append((rule, getattr(node, "lineno", 0), what))

    def resolve(self, node: ast.expr) -> str | None:
        name = dotted(node)
        if name is None:
            return None
        head, _, rest = name.partition(".")
        full = self.aliases.get(head, head)
        return f"{full}.{rest}" if rest else full

    def reach(self, module: str, node: ast.AST) -> None:
        top = module.split(".")[0]
        if (top in REACH_MODULES or top in self.evaluator
                or (top == "pytest" and not self.tests)):
            self.add("evaluator", node, f"imports {module}")

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self.aliases[alias.asname or alias.name.split(".")[0]] = (
                alias.name if alias.asname else alias.name.split(".")[0])
            self.reach(alias.name, node)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.module and node.level == 0:
            self.reach(node.module, node)
            for alias in node.names:
                self.aliases[alias.asname or alias.name] = f"{node.module}.{alias.name}"

    def _scope(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.local_defs.add(node.name)
        for deco in node.decorator_list:
            self._call_name(deco, deco)
        self._scope(node)

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        self.local_defs.add(node.name)
        self._scope(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self.local_defs.add(node.name)
        self._scope(node)

    def visit_Lambda(self, node: ast.Lambda) -> None:
        self._scope(node)

    def visit_If(self, node: ast.If) -> None:
        test = node.test
        is_main = (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name)
                   and test.left.id == "__name__")
        self.main += is_main
        self.generic_visit(node)
        self.main -= is_main

    def _call_name(self, func: ast.expr, node: ast.AST) -> None:
        name = self.resolve(func)
        if name is None:
            return
        for rule, names in ANYWHERE_CALLS.items():
            if name in names:
                self.add(rule, node, f"calls {name}")
        if name in MODULE_LEVEL_CALLS and self.depth == 0 and not self.main:
            self.add("exit", node, f"calls {name} when imported")
        if name in ("setattr", "delattr", "builtins.setattr") and isinstance(node, ast.Call):
            args = node.args
            target = self.resolve(args[0]) if args else None
            if target and self._foreign(target):
                self.add("patch", node, f"calls {name} on {target}")
            attr = args[1].value if len(args) > 1 and isinstance(args[1], ast.Constant) else None
            if target == "sys" and isinstance(attr, str) and f"sys.{attr}" in STREAMS:
                self.add("stream", node, f"sets sys.{attr}")

    def visit_Call(self, node: ast.Call) -> None:
        self._call_name(node.func, node)
        self.generic_visit(node)

    def visit_Raise(self, node: ast.Raise) -> None:
        exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
        name = self.resolve(exc) if exc is not None else None
        if name in ("SystemExit", "KeyboardInterrupt") and self.depth == 0 and not self.main:
            self.add("exit", node, f"raises {name} when imported")
        self.generic_visit(node)

    def _foreign(self, target: str) -> bool:
        head = target.split(".")[0]
        return head in self.aliases or head in ("builtins", "__builtins__")

    def _assigned(self, target: ast.expr, value: ast.expr | None, node: ast.AST) -> None:
        name = self.resolve(target) if isinstance(target, ast.Attribute) else None
        if isinstance(target, ast.Subscript) and self.resolve(target.value) in (
                "__builtins__", "sys.modules", "os.environ"):
            self.add("patch", node, f"assigns into {self.resolve(target.value)}")
        if name is None:
            return
        if name in STREAMS:
            self.add("stream", node, f"assigns {name}")
        elif self._foreign(name):
            module = self.aliases.get(name.split(".")[0], "")
            callable_value = isinstance(value, ast.Lambda) or (
                isinstance(value, ast.Name) and value.id in self.local_defs)
            if callable_value or any(module == m or module.startswith(m + ".")
                                     for m in (*PATCH_ALWAYS, *self.evaluator)):
                self.add("patch", node, f"assigns {name}")

    def visit_Assign(self, node: ast.Assign) -> None:
        for target in node.targets:
            self._assigned(target, node.value, node)
        self.generic_visit(node)

    def visit_AugAssign(self, node: ast.AugAssign) -> None:
        self._assigned(node.target, node.value, node)
        self.generic_visit(node)

    def visit_Delete(self, node: ast.Delete) -> None:
        for target in node.targets:
            self._assigned(target, None, node)
        self.generic_visit(node)

    def visit_Attribute(self, node: ast.Attribute) -> None:
        if node.attr in FRAME_ATTRS:
            self.add("frames", node, f"reads .{node.attr}")
        self.generic_visit(node)

    def visit_Constant(self, node: ast.Constant) -> None:
        if isinstance(node.value, str) and (
                "AGENTOS_" in node.value or node.value.strip() in self.output_names):
            self.add("output", node, f"names {node.value.strip()[:40]!r}")


def forgeries(tree: ast.Module, *, evaluator: frozenset[str] = frozenset(),
              output_names: frozenset[str] = frozenset(),
              tests: bool = False) -> Iterator[tuple[str, int, str]]:
    """`(rule, line, what)` for each forgery construct in `tree`. `evaluator` names the modules
    of the evaluator (the metric command's script, the protected Python files), `output_names`
    the metric file's name, `tests` says the file is a test module (it may import pytest)."""
    visitor = _Visitor(evaluator, output_names, tests)
    visitor.visit(tree)
    yield from visitor.found
