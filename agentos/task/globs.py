"""The task's globs: how `editable`, `protected` and the tools' path options match a
repository-relative path."""

from __future__ import annotations

import functools
import re


def glob_match(path: str, pattern: str) -> bool:
    """Match a repository-relative POSIX path: `*` and `?` stay within a folder, `**/` spans
    folders, and a pattern naming a folder (literally or through a wildcard) matches everything
    under it. The loop, the reviewer and the built-in gates all match paths here. (Not gitignore
    rules through pathspec: there `**.py` stays within one folder, `[ab]` is a class and `\\`
    escapes, so globs users already wrote would match other files.)"""
    return _glob_regex(pattern).fullmatch(path) is not None


@functools.lru_cache(maxsize=64)
def any_glob(patterns: tuple[str, ...]) -> re.Pattern[str]:
    """One regex for a list of globs (never matches when the list is empty): a path is checked
    against every glob of a task for each file of each commit, so it is compiled once."""
    if not patterns:
        return re.compile("(?!)")
    return re.compile("|".join(f"(?:{_glob_regex(g).pattern})" for g in patterns))


@functools.lru_cache(maxsize=256)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    out, i = [], 0
    pattern = pattern.strip("/")
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append("[^/]*")
            i += 1
        elif pattern[i] == "?":
            out.append("[^/]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out) + "(?:/.*)?")
