"""What a comment beside a setting says about its search space, in the words people write.

agentos' own syntax (`range: 1e-5..1e-1 log`, `choices: a|b|c`, `fixed`) and the forms settings
files already use are read alike:

    EPOCHS = 10        # int, range 0..40          (also `0-40`, `0 to 40`, `0...40`)
    LR = 0.01          # between 1e-4 and 1        (a range over 2 decades or more is searched
                                                     on a log scale; `linear` says otherwise)
    P = 0.1            # in [0, 1]                  (also `(0, 1]`)
    WIDTH = 64         # min 8, max 512             (also `>= 8`, `at most 512`, one side alone)
    OPT = "adam"       # one of: sgd, adam, lion    (also `choices:`, `options a | b`, quoted
                                                     items; and, when the value is one of the
                                                     items, a bare `a|b|c`, `valid: a, b`,
                                                     `[a, b, c]`, `{1, 3}`, `either a or b`,
                                                     `label: a | b`, `a, b or c`)
    N = 4              # 1 <= n <= 12               (also `range(1, 13)`, `lower bound 1`)
    BATCH = 32         # powers of two, 8 to 512    (choices 8|16|...|512)
    SEED = 1234        # fixed                      (also `do not change`, `don't tune`)

Units and prose around them are ignored (`# 0 to 40 epochs`, `# warm-up steps, 0-20`). A comment
that looks like a hint but cannot be read (a choices list of one, items that are sentences, a range
the current value lies outside) yields no hint and a `problem` saying why: the setting is then
searched as if it had no hint, and `agentos.settings.hint_warnings` lists the problem for the user.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from agentos.settings.memo import memoized


@dataclass(frozen=True)
class Hint:
    """What a comment says about a setting's search space; `read` says what was understood and
    `problem` what could not be (empty when nothing was wrong)."""

    low: float | None = None
    high: float | None = None
    log: bool = False
    choices: tuple[str, ...] = ()
    fixed: bool = False
    read: str = ""
    problem: str = ""
    source: str = ""  # `comment`, `comment above`, `docstring`, `annotation`, `Enum N`, the table


_NUM = r"[-+]?(?:\d[\d_]*(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?"
_N = rf"(?<![\w.])(?<!\d-)({_NUM})"
_END = r"(?!\w|\.\d|-\d)"  # a number ends here (not `2024-01-15`, not `x86-64`)
_SEP = r"\s*(?:\.\.\.?|–|—|~|\bto\b|\bthrough\b|-)\s*"
_PY_RANGE = re.compile(rf"\brange\(\s*{_N}\s*,\s*({_NUM})\s*\)")  # range(1, 13): 1..12
_RANGES = (
    re.compile(rf"{_N}\s*(?:<=?|≤)\s*[A-Za-z_][\w.]*\s*(?:<=?|≤)\s*({_NUM}){_END}"),  # 1 <= n < 9
    re.compile(rf"\brange\s*[:=]?\s*[\[(]?\s*{_N}\s*(?:\.\.\.?|–|—|\bto\b|-|,)\s*({_NUM}){_END}"),
    re.compile(rf"\bbetween\s+{_N}\s+and\s+({_NUM}){_END}"),
    re.compile(rf"\bfrom\s+{_N}\s+(?:up\s+)?to\s+({_NUM}){_END}"),  # anything from 16 up to 512
    re.compile(rf"[\[(]\s*{_N}\s*[,;]\s*({_NUM})\s*[\])]"),
    re.compile(rf"{_N}{_SEP}({_NUM}){_END}"),
)
_LOW = re.compile(
    rf"(?:\bmin(?:imum)?\b\s*[:=]?|\blower bound\b\s*[:=]?|\bat least\b|>=?|≥"
    rf"|\bno (?:less|fewer) than\b|\babove\b|(?<!no )\b(?:more|greater) than\b)"
    rf"\s*({_NUM}){_END}"
)
_HIGH = re.compile(
    rf"(?:\bmax(?:imum)?\b\s*[:=]?|\bupper bound\b\s*[:=]?|\bat most\b|\bup to\b|<=?|≤"
    rf"|\bbelow\b|\bunder\b|(?<!no )\b(?:less|fewer) than\b|\bno more than\b"
    rf"|\b(?:not|never) exceed\b)\s*({_NUM}){_END}"
)
_UNIT_WORDS = re.compile(r"\b(?:probability|fraction)\b")  # of a value in [0, 1]: 0..1
_SIGN = re.compile(r"\b(non-?negative|positive)\b")
_LOG = re.compile(r"\blog(?:arithmic)?\b|\blog[-_ ]?(?:scale|uniform)\b|\blogscale\b")
# `log` alone asks for a log scale only as a word of its own (`# log scale`, `# (log)`), never in
# `# log level` or `# log every 100 steps`
_LOG_ALONE = re.compile(
    r"\blog[-_ ]?(?:scale|uniform|space)\b|\blogarithmic\b|\blogscale\b|\blog\b(?!\s*[a-z_])"
)
_LINEAR = re.compile(r"\blinear\b")
# not searched: `fixed`, `do not change`, and what a person writes of a setting that cannot move
# the metric (`cosmetic`, `no effect on results`, `does not affect the score`)
# `don't touch`, `don't touch this`, `do not change unless ...`; not `don't touch names`, which
# says what the setting does
_OF_THIS = (
    r"(?!\s+(?!(?:it|this|that|me|unless|without|please|ever|here|manually|by|the value|"
    r"this value|the default|value|during|between|across|or|and)\b)[a-z])"
)
_FIXED = re.compile(
    r"(?<![\w-])fixed(?![\w-])|\bdo(?: not|n't) (?:change|tune|touch)\b" + _OF_THIS +
    r"|\bcosmetic\b"
    r"|\bno effect on\b|\bdoes(?: not|n't) affect\b|\bleave (?:it |this |as is )?alone\b"
    r"|\bleave as is\b|\b(?:formatting|display|printing|logging) only\b"
    r"|\bmust(?: not|n't) (?:change|be changed|be tuned)\b|\bnever (?:change|tune)\b"
    # `must stay false`, `must remain as is`; not `must stay below 100` (a bound)
    r"|\bmust (?:stay|remain|be kept) (?:true|false|on|off|yes|no|as is|constant|unchanged)\b"
    # `keep: defines the problem size`, `keep as is`, `keep constant`
    r"|^keep\b\s*(?:[:(\-\u2013\u2014]|$)"
    r"|\bkeep (?:it |this )?(?:as is|constant|unchanged|the same)\b"
)
_CHOICE_WORDS = re.compile(
    r"\b(?:(?:choices|options)(?: are)?|one of|choose from|choose one|any of"
    r"|(?:allowed|valid|possible|supported) values(?: are)?)\b\s*[:=]?\s*"
)
# Lists read only when the setting's value is one of their items (else prose: `requests/s`):
# after a weaker word (`valid: a, b`, `either a or b`), in brackets (`[16, 32, 64]`, `{1, 3}`;
# two numbers in brackets are a range), a whole comment that is a list (`sgd, adam or lion`), or
# a pipe list anywhere (`eviction policy: lru|lfu`).
_LOOSE = (
    re.compile(r"\b(?:values|valid|allowed|possible|supported)\s*[:=]\s*(.+)", re.IGNORECASE),
    re.compile(r"\beither\s+(.+\bor\b.+)", re.IGNORECASE),
    re.compile(r"""\{([^{}]+)\}|\[([^\[\]]+)\]"""),
    re.compile(r"""^\s*((?:["'`]?[\w.+-]+["'`]?\s*(?:,|/|\bor\b)\s*)+["'`]?[\w.+-]+["'`]?)\s*\.?$"""),
    re.compile(r"""((?:["'`]?[\w.+-]+["'`]?\s*\|\s*)+["'`]?[\w.+-]+["'`]?)"""),
)
_LOOKS_LIKE_HINT = re.compile(r"\b(range|between|choices|one of|bounds)\b")
_CUT = re.compile(r";|\s--?\s|\(|#|\.\s|\.$|:\s")
_ITEM = re.compile(r"""^["'`]?([\w.+-]+)["'`]?$""")


def parse_hint(comment: str) -> Hint:
    """Read a hint from a comment's text (after the `#`), whatever the value it describes (so a
    list without a word such as `choices` is not read: that takes the value, `read_hint`)."""
    return read_hint(comment, None)


@memoized(4096)  # a search reads the same comments for the same values over and over
def read_hint(comment: str, value: object, *, of: str = "") -> Hint:
    """Read a hint from a comment's text and check it against the setting's current `value`
    (None: unchecked). A hint the value contradicts is dropped with a `problem`; `of` names the
    file the text came from when it is not the setting's comment (a JSON Schema beside it)."""
    text = comment.strip()
    low_text = text.lower()
    fixed = bool(_FIXED.search(low_text))
    choices, problem = _choices(text)
    worded = False  # whether `problem` already names where the hint came from and its fix
    if not choices and not problem:
        choices = _loose_choices(text, value)
    low = high = None
    read: list[str] = []
    if choices:
        read.append("choices " + "|".join(choices))
        if value is not None and not isinstance(value, bool):
            problem = problem or _check_choices(choices, value)
            if problem:
                choices = ()
    elif not problem:
        low, high = _range(low_text, value)
        if low is not None and high is not None and low > high:
            low, high = high, low
        if low is not None or high is not None:
            read.append(f"range {_fmt(low)}..{_fmt(high)}")
            bad = _outside(value, low, high, of)
            if bad:
                problem, low, high, read = bad, None, None, []
                worded = True
            elif _POWERS_OF_TWO.search(low_text) and _powers(low, high, value):
                choices = _powers(low, high, value)
                low = high = None
                read = ["choices " + "|".join(choices) + " (powers of two)"]
        elif _LOOKS_LIKE_HINT.search(low_text) and _numeric(value):
            problem = f"no range or choices could be read from {_quoted(text)}"
    log = False
    if low is not None and low > 0 and not _LINEAR.search(low_text):
        if _LOG.search(low_text):
            log = True
            read.append("log")
        elif high is not None and high / low >= 100:
            log = True
            read.append(f"log (the range spans {math.log10(high / low):.0f} decades)")
    elif low is None and not choices and not problem and _positive(value, high, low_text):
        log = True  # `# log scale` alone: the bounds grow with evidence, on a log scale
        read.append("log")
    if fixed:
        read.append("fixed")
    if of and problem and not worded:  # `_outside` names `of` itself
        problem = f"{problem} of {of}, so it was not used; correct the schema or the value"
    return Hint(low, high, log, choices, fixed, ", ".join(read), problem)


_POWERS_OF_TWO = re.compile(r"\bpowers? of (?:two|2)\b")


def _powers(low: float | None, high: float | None, value: object) -> tuple[str, ...]:
    """The powers of two from `low` to `high` when the range and the int `value` are such."""
    if low is None or high is None or type(value) is not int or low < 1 or high > 2**40:
        return ()
    found = tuple(str(2**k) for k in range(41) if low <= 2**k <= high)
    return found if len(found) >= 2 and str(value) in found else ()


def _positive(value: object, high: float | None, text: str) -> bool:
    """Whether a comment asks for a log scale for a positive number without a low bound."""
    positive = isinstance(value, int | float) and not isinstance(value, bool) and value > 0
    return positive and (high is None or high > 0) and bool(_LOG_ALONE.search(text))


def _numeric(value: object) -> bool:
    """Whether a range could bound `value` (a number; a string or a bool has no range)."""
    return isinstance(value, int | float) and not isinstance(value, bool)


def _quoted(text: str, limit: int = 80) -> str:
    """A comment quoted in a message, cut to about `limit` characters."""
    text = " ".join(text.split())
    return repr(text if len(text) <= limit else text[: limit - 3].rstrip() + "...")


def _range(text: str, value: object) -> tuple[float | None, float | None]:
    m = _PY_RANGE.search(text)
    if m and isinstance(value, int):
        return _float(m.group(1)), _float(m.group(2)) - 1
    for pattern in _RANGES:
        m = pattern.search(text)
        if m:
            try:
                a, b = _float(m.group(1)), _float(m.group(2))
            except ValueError:
                continue
            percent = text[m.end() :].lstrip().startswith("%")
            if percent and isinstance(value, float) and 0 <= value <= 1 < max(a, b):
                return a / 100, b / 100  # `0-50%` of a fraction
            return a, b
    low: float | None = None
    high: float | None = None
    m = _LOW.search(text)
    if m:
        low = _float(m.group(1))
    m = _HIGH.search(text)
    if m:
        high = _float(m.group(1))
    sign = _SIGN.search(text)
    if sign and low is None:
        low = 0.0
    unit = isinstance(value, float) and 0 <= value <= 1 and bool(_UNIT_WORDS.search(text))
    if low is None and high is None and unit:
        return 0.0, 1.0
    return low, high


def _float(s: str) -> float:
    x = float(s.replace("_", ""))
    if not math.isfinite(x):
        raise ValueError(s)
    return x


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:g}"


def _choices(text: str) -> tuple[tuple[str, ...], str]:
    """The listed choices (comma, pipe, slash or `or` separated), or a problem."""
    m = _CHOICE_WORDS.search(text.lower())
    if not m:
        return (), ""  # a list without these words is read only when it holds the value
    rest = text[m.end() :]
    cut = _CUT.search(rest)
    body = rest[: cut.start()] if cut else rest
    body = body.strip().strip("[]{}")
    raw = [x.strip() for x in re.split(r"\||,|/|\bor\b", body)]
    items = _unit_dropped([x for x in raw if x])
    if not items:
        return (), f"no choices could be read from {_quoted(text)}"
    parsed: list[str] = []
    for item in items:
        im = _ITEM.match(item)
        if not im:
            return (), (
                f"choices could not be read from {_quoted(text)} ({item!r} is not one value); "
                "write them as `choices: a|b|c` or `one of: a, b, c`"
            )
        parsed.append(im.group(1))
    unique = tuple(dict.fromkeys(parsed))
    if len(unique) < 2:
        return (), (
            f"the choices in {_quoted(text)} list only {unique[0]!r}; "
            "list at least two, as `choices: a|b|c` or `one of: a, b, c`"
        )
    return unique, ""


_WITH_UNIT = re.compile(rf"^({_NUM})\s+[A-Za-z][A-Za-z -]*$")


def _unit_dropped(items: list[str]) -> list[str]:
    """A list of numbers whose last item carries their unit (`2/4/8 blocks`), without it."""
    if len(items) >= 2 and _numbers(items[:-1]) and (m := _WITH_UNIT.match(items[-1])):
        return [*items[:-1], m.group(1)]
    return items


def _loose_choices(text: str, value: object) -> tuple[str, ...]:
    """A list read by `_LOOSE`, when `value` is one of its items; else ()."""
    if value is None or isinstance(value, bool):
        return ()
    for pattern in _LOOSE:
        # a list that is a whole clause of the comment: `max edits: 1 or 2 (2 is slower)`
        parts = [text, *_CUT.split(text)] if pattern is _LOOSE[3] else [text]
        for m in (m for part in parts for m in pattern.finditer(part)):
            body = next(g for g in m.groups() if g is not None)
            cut = _CUT.search(body)
            body = body[: cut.start()] if cut and pattern not in _LOOSE[3:] else body
            items = [x.strip() for x in re.split(r"\||,|/|\bor\b", body.rstrip(". "))]
            found = [im.group(1) for im in map(_ITEM.match, items) if im]
            unique = tuple(dict.fromkeys(found))
            if len(found) < len(items) or len(unique) < 2:
                continue
            numbers = _numbers(unique)
            if pattern is _LOOSE[2] and m.group(2) is not None and numbers and len(unique) == 2:
                continue  # `[0, 1]` is a range
            if not _check_choices(unique, value) and (numbers or isinstance(value, str)):
                return unique
    return ()


def _numbers(items: Sequence[str]) -> bool:
    try:
        [float(x) for x in items]
    except ValueError:
        return False
    return True


def _check_choices(choices: tuple[str, ...], value: object) -> str:
    if isinstance(value, str):
        if value not in choices:
            return f"the value {value!r} is not among the choices {'|'.join(choices)}"
        return ""
    try:
        numbers = [float(c) for c in choices]
    except ValueError:
        return f"the choices {'|'.join(choices)} are not numbers, but the value {value!r} is"
    if not isinstance(value, int | float) or all(abs(n - float(value)) > 1e-12 for n in numbers):
        return f"the value {value!r} is not among the choices {'|'.join(choices)}"
    return ""


def _outside(value: object, low: float | None, high: float | None, of: str = "") -> str:
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return ""
    if low is not None and high is not None and low == high:
        one = f"the range {_fmt(low)}..{_fmt(high)} holds one value"
        return f"{one} of {of}, so it was not used; correct the schema or the value" if of else one
    if (low is not None and value < low) or (high is not None and value > high):
        where, fix = (
            (f"of {of}", "correct the schema or the value")
            if of
            else ("read from the comment", "write it as `range: LO..HI`")
        )
        return (
            f"the value {value!r} lies outside the range {_fmt(low)}..{_fmt(high)} {where}, "
            f"so it was not used; {fix}"
        )
    return ""


_UNIT_NAME = re.compile(
    r"(^|[_.])(dropout|momentum|beta\d?|prob|p|ratio|frac|fraction|keep_prob|smoothing|ema"
    r"|threshold|thresh)($|[_.])",
    re.IGNORECASE,
)


_SEED_NAME = re.compile(r"(^|[_.])(random_|rng_|manual_)?(seed|random_state)$", re.IGNORECASE)
# a switch of what a program prints, logs or shows, not of what it computes
_OUTPUT_NAME = re.compile(
    r"(^|[_.])(verbose|verbosity|debug|quiet|silent|log|logging|progress|progress_bar|"
    r"show|show_progress|plot|print|trace|tqdm|disable_tqdm|color|colour)($|[_.])",
    re.IGNORECASE,
)


def unsearched_by_name(name: str, value: object, hint: Hint) -> str:
    """Why a setting with no hint is not searched, read from its name and type, or '': an
    integer named as a random seed (`SEED`, `random_state`, `train.seed`: another seed that
    scores better is luck, not a better setting), or a bool that switches what a program prints
    or shows (`verbose`, `DEBUG`, `show_progress`: a run that keeps one has learned nothing a
    user would ship). A hint searches either."""
    if hint.read:
        return ""
    if type(value) is int and _SEED_NAME.search(name):
        return "a random seed: a better score from another seed is luck; a hint searches it"
    if type(value) is bool and _OUTPUT_NAME.search(name):
        return "switches what is printed or shown, not what is computed; a hint searches it"
    return ""


UNIT_LOW = 0.01  # a positive value below this is a tolerance, not a share


def unit_by_name(name: str, value: object, hint: Hint) -> bool:
    """Whether a number without bounds, in [0, 1], has a probability-like name (`dropout`).
    A positive value below `UNIT_LOW` is left to grow on a log scale instead: a
    `CONVERGENCE_THRESHOLD = 0.0001` is a tolerance, and a linear 0..0.999 would put nearly every
    draw thousands of times above it."""
    return (
        hint.low is None
        and hint.high is None
        and isinstance(value, float)
        and (value == 0 or UNIT_LOW <= value <= 1)
        and bool(_UNIT_NAME.search(name))
    )
