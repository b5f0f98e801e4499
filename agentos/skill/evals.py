"""Eval sets for skill routing: JSONL lines `{query, expect, slice, split}`.

`expect` is the skill a query should trigger, or null when none should (a near-miss, whatever its
slice). `slice` is a free-form label (default `clean`) that the report and the veto group queries
by; `SLICES` are the kinds agentos itself writes and reports first. `split` is `train` (shown to
the proposer, picks candidates) or `holdout` (used only to veto). A line must hold `expect` (null
included) and no key but `KEYS`: a misspelt `expected` would otherwise read as a near-miss.
`augment` adds seeded typo and shorthand variants of train queries; it never touches the holdout.
"""

from __future__ import annotations

import difflib
import json
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from agentos.errors import UserError
from agentos.skill.vocab import SHORTHAND

Slice = str
Split = Literal["train", "holdout"]
SLICES: tuple[Slice, ...] = ("clean", "typo", "shorthand", "paraphrase", "near-miss")
FUZZY: tuple[Slice, ...] = ("typo", "shorthand")
MAX_EVAL_BYTES = 8 * 1024 * 1024
MAX_SLICE = 40
_RESERVED = frozenset(("all", "hits", "to", "took"))  # names of the evaluator's other figures
KEYS: tuple[str, ...] = ("query", "expect", "slice", "split", "origin")  # what a line may hold


def fuzzy(label: Slice) -> bool:
    """Whether a slice label names misspelled or abbreviated queries (`typo`, `misspelled`,
    `shorthand`, `abbrev`, ...), whatever the eval file calls them."""
    low = label.lower()
    return any(k in low for k in ("typo", "missp", "spell", "short", "abbrev", "fuzzy"))


def misspelled(label: Slice) -> bool:
    """Whether a slice label names misspelled queries (never quoted into a description)."""
    low = label.lower()
    return any(k in low for k in ("typo", "missp", "spell", "fuzzy"))


def slices_of(items: Iterable[EvalItem]) -> list[Slice]:
    """The slices `items` use: the known kinds first (in `SLICES` order), then the rest sorted."""
    present = {i.slice for i in items}
    return [s for s in SLICES if s in present] + sorted(present - set(SLICES))


@dataclass(frozen=True)
class EvalItem:
    query: str
    expect: str | None
    slice: Slice
    split: Split
    generated: bool = False
    source: str | None = None  # the train query a generated variant was made from


def normalized(query: str) -> str:
    """A query as a duplicate check compares it: lower-case words, punctuation and spacing
    dropped ("Deploy the API!" and "deploy the api" are one query)."""
    return " ".join(re.findall(r"[^\W_]+", query.lower()))


def load_evals(
    path: Path | str,
    skills: Iterable[str] = (),
    skipped: Iterable[str] = (),
    warnings: list[str] | None = None,
) -> list[EvalItem]:
    """Read and validate a JSONL eval set; `skills` are the names an `expect` may use. Lines
    expecting one of the `skipped` skills (invalid, left out of the run) are left out. A query
    (compared `normalized`) labelled with two different skills is refused, naming both lines;
    one in both train and held-out is kept, with a line appended to `warnings` when given."""
    path = Path(path)
    if not path.is_file():
        raise UserError("eval set not found", path=path, fix="pass a JSONL file with --evals")
    if path.stat().st_size > MAX_EVAL_BYTES:
        raise UserError("eval set is over 8 MiB", path=path, fix="split it or drop duplicates")
    known = set(skills)
    left_out = set(skipped)
    items: list[EvalItem] = []
    first: dict[str, tuple[int, str | None, str]] = {}  # query: its first line, expect, split
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError as exc:
        raise UserError("eval set is not UTF-8", path=path, fix="re-encode it as UTF-8") from exc
    _refuse_trigger_evals(path, "\n".join(lines))
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise UserError(
                f"line is not JSON ({exc.msg})", path=where, fix="write one JSON object per line"
            ) from exc
        if not isinstance(row, dict):
            raise UserError(
                "line is not a JSON object", path=where, fix="write {query, expect, ...}"
            )
        _check_keys(row, where)
        query, expect = row.get("query"), row.get("expect")
        slice_, split = row.get("slice", "clean"), row.get("split")
        if not isinstance(query, str) or not query.strip():
            raise UserError("`query` must be a non-empty string", path=where, fix="add the query")
        if expect is not None and not isinstance(expect, str):
            raise UserError("`expect` must be a skill name or null", path=where, fix="fix `expect`")
        if expect in left_out:
            continue
        if known and expect is not None and expect not in known:
            near = _nearest(expect, known)
            raise UserError(
                f"`expect` names unknown skill {expect!r}",
                path=where,
                fix=f"did you mean {near!r}?" if near else f"use one of {sorted(known)} or null",
            )
        if (
            not isinstance(slice_, str)
            or not slice_.strip()
            or len(slice_) > MAX_SLICE
            or "/" in slice_
            or slice_.strip() in _RESERVED
        ):
            raise UserError(
                f"`slice` must be a label of 1 to {MAX_SLICE} characters without '/' "
                f"(not all, hits, to or took), not {slice_!r}",
                path=where,
                fix='name the kind of query, e.g. "typo", or leave `slice` out',
            )
        slice_ = slice_.strip()
        if split not in ("train", "holdout"):
            near = _nearest(split, ("train", "holdout")) if isinstance(split, str) else None
            raise UserError(
                f"`split` must be train or holdout, not {json.dumps(split)}"
                if "split" in row
                else "line has no `split`",
                path=where,
                fix=f'write "{near}"' if near else 'add `"split": "train"` or `"split": "holdout"`',
            )
        seen = first.setdefault(normalized(query), (number, expect, split))
        if seen[1] != expect:
            raise UserError(
                f"query {query!r} expects {expect or 'no skill'} here and "
                f"{seen[1] or 'no skill'} on line {seen[0]}",
                path=where,
                fix="give the query one expected skill (or null) and delete the other line",
            )
        if seen[2] != split and warnings is not None:
            warnings.append(
                f"{where}: query {query!r} is in both train and holdout (line {seen[0]}): "
                "held-out accuracy then measures recall of a train query; keep it in one split"
            )
        items.append(EvalItem(query, expect, slice_, split))
    if not any(i.split == "train" for i in items) or not any(i.split == "holdout" for i in items):
        raise UserError(
            "eval set needs both train and holdout lines",
            path=path,
            fix='mark some lines `"split": "holdout"`',
        )
    return items


_TRIGGER_FIX = (
    'write one line per query: {"query": ..., "expect": the skill (should_trigger true) or null '
    '(false; or the sibling skill that should take it), "split": "train" or "holdout"}'
)


def _refuse_trigger_evals(path: Path, text: str) -> None:
    """Refuse, by name, a whole-file JSON list of `{query, should_trigger}`: the trigger eval set
    Anthropic's skill-creator writes for one skill, which says which skill a query is for only
    by the file it sits in."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return
    if isinstance(data, list) and any(isinstance(r, dict) and "should_trigger" in r for r in data):
        raise UserError(
            "is a skill-creator trigger eval set ({query, should_trigger} for one skill), not "
            "an agentos eval set (one JSON object per line, for every skill of the folder)",
            path=path,
            fix=_TRIGGER_FIX,
        )


def _check_keys(row: dict[str, object], where: str) -> None:
    """Refuse a line without `expect` or with a key no line takes: either would otherwise be read
    as a near-miss (`expect` null) without a word."""
    if "should_trigger" in row:
        raise UserError(
            "line has skill-creator's `should_trigger`, which names no skill",
            path=where,
            fix=_TRIGGER_FIX,
        )
    for key in row:
        if key not in KEYS:
            near = _nearest(key, KEYS)
            raise UserError(
                f"unknown key {key!r}",
                path=where,
                fix=f"did you mean `{near}`?"
                if near
                else f"remove it (a line takes {', '.join(KEYS)})",
            )
    if "expect" not in row:
        raise UserError(
            "line has no `expect`",
            path=where,
            fix='add `"expect": "SKILL"` (the skill it should trigger) or `"expect": null` (none)',
        )


def _nearest(word: str, choices: Iterable[str]) -> str | None:
    """The one of `choices` a misspelt `word` most likely meant (difflib's ratio 0.6 or more)."""
    close = difflib.get_close_matches(word, sorted(choices), n=1, cutoff=0.6)
    return close[0] if close else None


_KEYS = "qwertyuiopasdfghjklzxcvbnm"
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")


def _neighbour(ch: str, rng: random.Random) -> str:
    for row in _ROWS:
        i = row.find(ch)
        if i >= 0:
            return row[max(0, min(len(row) - 1, i + rng.choice((-1, 1))))]
    return ch


VARIANT_SEED = 0  # the generated train variants' seed, whatever the run's


def typo(query: str, rng: random.Random) -> str:
    """One or two keyboard slips (swap, drop, double, neighbour key) in words of 4+ letters."""
    words = query.split()
    spots = [i for i, w in enumerate(words) if len(w) >= 4 and w.isalpha()]
    if not spots:
        return query
    for i in rng.sample(spots, k=min(len(spots), rng.choice((1, 2)))):
        w = words[i]
        j = rng.randrange(1, len(w) - 1)
        op = rng.choice(("swap", "drop", "double", "key"))
        if op == "swap":
            w = w[:j] + w[j + 1] + w[j] + w[j + 2 :]
        elif op == "drop":
            w = w[:j] + w[j + 1 :]
        elif op == "double":
            w = w[:j] + w[j] + w[j:]
        else:
            w = w[:j] + _neighbour(w[j].lower(), rng) + w[j + 1 :]
        words[i] = w
    return " ".join(words)


def shorthand(query: str, rng: random.Random) -> str:
    """Abbreviate known long forms and drop filler words, the way people type in a hurry."""
    text = " " + query.lower().rstrip("?.!") + " "
    for long, short in sorted(SHORTHAND.items(), key=lambda kv: -len(kv[0])):
        if f" {long} " in text and rng.random() < 0.8:
            text = text.replace(f" {long} ", f" {short} ")
    for filler in (" the ", " a ", " my ", " our ", " can you ", " could you ", " please "):
        text = text.replace(filler, " ")
    return " ".join(text.split())


def augment(
    items: Sequence[EvalItem], *, seed: int = VARIANT_SEED, per_query: int = 1
) -> list[EvalItem]:
    """`items` plus up to `per_query` typo and shorthand variants of each train query.

    Only train items that should trigger a skill are varied; holdout items are returned untouched.
    A run does not pass its own seed: the variants, and so the "none" cut fitted on them and the
    figures before tuning, are the same for every run on one eval file.
    """
    rng = random.Random(seed)
    seen = {i.query for i in items}
    out = list(items)
    for item in items:
        if item.split != "train" or item.expect is None or fuzzy(item.slice) or item.generated:
            continue
        for _ in range(per_query):
            variants: tuple[tuple[Callable[[str, random.Random], str], Slice], ...] = (
                (typo, "typo"),
                (shorthand, "shorthand"),
            )
            for make, slice_ in variants:
                variant = make(item.query, rng)
                if variant not in seen:
                    seen.add(variant)
                    out.append(EvalItem(variant, item.expect, slice_, "train", True, item.query))
    return out
