"""Gates a skill must keep through every rewrite, pinned at the start outside the editable surface.

A gate is a line or section of a skill's body that guards against harm:

- `declared`: a phrase listed under `gates:` in the front matter;
- `marked`: a section between `<!-- gate -->` and `<!-- /gate -->`;
- `ask-user`: a line that calls `AskUserQuestion`;
- `confirm`: a line asking for confirmation or approval;
- `never`: a "never" / "do not" / "must not" rule: a sentence that starts with one, or says
  "must not", "must never" or an upper-case "NOT" (a passing "never" in prose is no rule);
- `description`: a negative routing rule in the description ("Do NOT use for PDFs"), which the
  rewrite of the description must keep verbatim.

`pin_gates` writes them to a sidecar JSON file (outside the skills folder) and remembers its
`sha256:` digest; `GatePins.check` re-reads and re-verifies the sidecar, then reports every gate a
candidate body dropped, reworded or moved after a later gate. A changed gate is a weakened gate: the
check is on whole normalized lines, so appending "unless in a hurry" to a rule also counts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from agentos.errors import IntegrityError
from agentos.integrity import digest
from agentos.skillfile import Skill

GateKind = Literal["declared", "marked", "ask-user", "confirm", "never", "description"]

_MARKED = re.compile(r"<!--\s*gate\s*-->.*?<!--\s*/gate\s*-->", re.DOTALL | re.IGNORECASE)
_ASK = re.compile(r"AskUserQuestion")
_CONFIRM = re.compile(r"\b(confirm|confirmation|explicit approval|approve[sd]?)\b", re.IGNORECASE)
_NEVER_START = re.compile(
    r"(?:^|[.!?:;]\s+)(?:\*\*)?(?:never|do not|don't|must not|under no circumstances)\b",
    re.IGNORECASE,
)
_NEVER = re.compile(r"\b(?:must not|must never|should never|may never)\b|\bNOT\b")
_DESCRIPTION_RULE = re.compile(
    r"\b(?:do not|don't|never|not) (?:use|trigger|invoke|load)\b|\bnot (?:for|when)\b",
    re.IGNORECASE,
)
_BULLET = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+")


@dataclass(frozen=True)
class Gate:
    skill: str
    kind: GateKind
    text: str


@dataclass(frozen=True)
class GateViolation:
    """One gate a candidate lost; `problem` is `removed or changed` or `moved`."""

    gate: Gate
    problem: str

    def line(self) -> str:
        return (
            f"refused: {self.gate.skill}: {self.gate.kind} gate {self.problem}: {self.gate.text!r}"
        )


def _norm(text: str) -> str:
    return " ".join(text.split())


def _lines(body: str) -> list[str]:
    """Normalized content lines of a body, list bullets and numbering removed."""
    return [_norm(_BULLET.sub("", line)) for line in body.splitlines() if line.strip()]


def detect_gates(skill: Skill) -> list[Gate]:
    """All gates of a skill: declared ones first, then the rest in the order of the body."""
    found = []
    for match in _MARKED.finditer(skill.body):
        found.append(Gate(skill.name, "marked", _norm(match.group(0))))
    for line in _lines(_MARKED.sub("", skill.body)):
        if _ASK.search(line):
            found.append(Gate(skill.name, "ask-user", line))
        elif _CONFIRM.search(line):
            found.append(Gate(skill.name, "confirm", line))
        elif _NEVER.search(line) or _NEVER_START.search(line):
            found.append(Gate(skill.name, "never", line))
    flat = _norm(skill.body)
    found.sort(key=lambda g: flat.find(g.text))
    rules = [
        Gate(skill.name, "description", sentence)
        for sentence in re.split(r"(?<=[.!?])\s+", _norm(skill.description))
        if _DESCRIPTION_RULE.search(sentence)
    ]
    declared = [Gate(skill.name, "declared", _norm(g)) for g in skill.declared_gates]
    return declared + found + rules


def violations(gates: Iterable[Gate], body: str, description: str = "") -> list[GateViolation]:
    """Every gate `body` (or, for a description rule, `description`) no longer keeps verbatim,
    or keeps out of its original order."""
    found: list[GateViolation] = []
    gates = list(gates)
    for gate in [g for g in gates if g.kind == "description"]:
        if gate.text not in _norm(description):
            found.append(GateViolation(gate, "removed or changed"))
    gates = [g for g in gates if g.kind != "description"]
    flat = _norm(body)
    lines = _lines(_MARKED.sub("", body))
    positions: list[tuple[int, Gate]] = []
    for gate in gates:
        position = flat.find(gate.text)
        ok = position >= 0 if gate.kind in ("declared", "marked") else gate.text in lines
        if not ok:
            found.append(GateViolation(gate, "removed or changed"))
        else:
            positions.append((position, gate))
    ordered = [g for _, g in positions if g.kind != "declared"]
    actual = [g for _, g in sorted(positions, key=lambda p: p[0]) if g.kind != "declared"]
    if ordered != actual:
        for want, got in zip(ordered, actual, strict=True):
            if want != got:
                found.append(GateViolation(want, "moved"))
                break
    return found


GATE_TOOL = "skill-gates"  # the tool node that holds rewrites to the pins (agentos.tools)


class GatePins:
    """The gates of every skill, read back from a sidecar whose digest is checked on each use."""

    def __init__(self, path: Path, digest: str):
        self.path = path
        self.digest = digest

    def gates(self) -> dict[str, list[Gate]]:
        data = self.path.read_bytes()
        if digest(data) != self.digest:
            raise IntegrityError(
                "gate pins changed during the run",
                path=self.path,
                fix="do not edit agentos' sidecar files; start the run again",
            )
        raw: dict[str, list[dict[str, str]]] = json.loads(data)
        return {
            name: [Gate(g["skill"], g["kind"], g["text"]) for g in items]  # type: ignore[arg-type]
            for name, items in raw.items()
        }

    def check(self, skill: str, body: str, description: str | None = None) -> list[GateViolation]:
        """The gates `body` and `description` lost (description rules are not checked when
        `description` is None)."""
        gates = self.gates().get(skill, [])
        if description is None:
            gates = [g for g in gates if g.kind != "description"]
        return violations(gates, body, description or "")

    def count(self) -> int:
        return sum(len(v) for v in self.gates().values())


def pin_gates(skills: Iterable[Skill], sidecar: Path) -> GatePins:
    """Detect every skill's gates and write them to `sidecar` (canonical JSON); return the pins."""
    data: Mapping[str, list[dict[str, str]]] = {
        s.name: [asdict(g) for g in detect_gates(s)] for s in skills
    }
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    sidecar.parent.mkdir(parents=True, exist_ok=True)
    tmp = sidecar.with_suffix(".tmp")
    tmp.write_bytes(blob)
    tmp.replace(sidecar)
    return GatePins(sidecar, digest(blob))
