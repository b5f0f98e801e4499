"""Reading the one number a metric command reports, or naming why there is none.

Two channels: a regex that must match stdout exactly once (a second match is refused, so a candidate
that prints a fake metric line next to the evaluator's makes the run `invalid`), or a key in a JSON
file the command writes into its fresh output directory or, when the run had a writable copy of the
snapshot as its working folder, into that folder.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from pathlib import Path

from agentos.task import MetricSpec

MAX_JSON_BYTES = 1 << 20


def parse_metric(
    spec: MetricSpec,
    stdout: str,
    output_dir: Path,
    *,
    workdir: Path | None = None,
    snapshot: Path | None = None,
) -> tuple[float | None, str]:
    """Return `(value, "")`, or `(None, reason)` when it is missing, repeated or not finite.

    `json_file` is looked for in `output_dir`, then in `workdir` (the run's writable copy of the
    snapshot `snapshot`), where a committed file of that name counts only if the run changed it:
    a stale result committed with the repository is never read as this run's.
    """
    if spec.regex is not None:
        matches = list(re.finditer(spec.regex, stdout, flags=re.MULTILINE))
        if not matches:
            return None, "no metric: the output has no line matching metric.regex"
        if len(matches) > 1:
            return None, f"ambiguous metric: {len(matches)} lines match metric.regex"
        m = matches[0]
        raw = (
            m.group("value")
            if "value" in m.re.groupindex
            else (m.group(1) if m.re.groups else m.group(0))
        )
        return _number(raw)
    assert spec.json_file is not None and spec.json_key is not None
    name = spec.json_file
    text = _read_inside(output_dir, name)
    if text is None and workdir is not None:
        text = _read_inside(workdir, name)
        if text is not None and snapshot is not None and _read_inside(snapshot, name) == text:
            text = None
    if text is None:
        where = "the output directory" + (" or the working folder" if workdir else "")
        return None, f"no metric: {name} was not written to {where}"
    if isinstance(text, Exception):
        return None, f"metric file {name} cannot be read ({text})"
    if len(text) > MAX_JSON_BYTES:
        return None, f"metric file {name} is larger than {MAX_JSON_BYTES} bytes"
    try:
        data = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"metric file {name} is not valid JSON ({exc})"
    value: object = data
    for part in spec.json_key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None, f"no metric: key {spec.json_key!r} missing from {spec.json_file}"
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None, f"metric {spec.json_key!r} is not a number: {value!r:.40}"
    return _number(str(value))


def _read_inside(folder: Path, name: str) -> bytes | OSError | None:
    """The bytes of the regular file `name` under `folder` (None when there is none), never
    following a symlink out of it, never opening a FIFO or a device, at most one byte past the cap.
    """
    root = folder.resolve()
    path = root / name
    if not path.resolve().is_relative_to(root) or path.is_symlink():
        return None
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        return None
    except OSError as err:
        return err
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            return None
        with os.fdopen(os.dup(fd), "rb") as fh:
            return fh.read(MAX_JSON_BYTES + 1)
    finally:
        os.close(fd)


def _number(raw: str) -> tuple[float | None, str]:
    try:
        value = float(raw.strip())
    except ValueError:
        return None, f"metric is not a number: {raw.strip()!r:.40}"
    if not math.isfinite(value):
        return None, f"metric is not finite: {value}"
    return value, ""
