"""Reading the one number a metric command reports, or naming why there is none.

Two channels: a regex that must match stdout exactly once (a second match is refused, so a candidate
that prints a fake metric line next to the evaluator's makes the run `invalid`), or a key in a JSON
file the command writes into its fresh output directory.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

from agentos.task import MetricSpec

MAX_JSON_BYTES = 1 << 20


def parse_metric(spec: MetricSpec, stdout: str, output_dir: Path) -> tuple[float | None, str]:
    """Return `(value, "")`, or `(None, reason)` when it is missing, repeated or not finite."""
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
    path = output_dir / spec.json_file
    try:
        if path.is_symlink() or not path.is_file():
            return None, f"no metric: {spec.json_file} was not written to the output directory"
        if path.stat().st_size > MAX_JSON_BYTES:
            return None, f"metric file {spec.json_file} is larger than {MAX_JSON_BYTES} bytes"
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        return None, f"metric file {spec.json_file} is not valid JSON ({exc})"
    value: object = data
    for part in spec.json_key.split("."):
        if not isinstance(value, dict) or part not in value:
            return None, f"no metric: key {spec.json_key!r} missing from {spec.json_file}"
        value = value[part]
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None, f"metric {spec.json_key!r} is not a number: {value!r:.40}"
    return _number(str(value))


def _number(raw: str) -> tuple[float | None, str]:
    try:
        value = float(raw.strip())
    except ValueError:
        return None, f"metric is not a number: {raw.strip()!r:.40}"
    if not math.isfinite(value):
        return None, f"metric is not finite: {value}"
    return value, ""
