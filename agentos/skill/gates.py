"""Gates a skill must keep through every rewrite, pinned at the start outside the editable surface.

A gate is a line or section of a skill's body that guards against harm:

- `declared`: a phrase listed under `gates:` in the front matter;
- `marked`: a section between `<!-- gate -->` and `<!-- /gate -->`;
- `ask-user`: a line that calls `AskUserQuestion`;
- `confirm`: a line asking for confirmation or approval;
- `never`: a "never" / "do not" / "must not" rule.

`pin_gates` writes them to a sidecar JSON file (outside the skills folder) and remembers its
`sha256:` digest; `GatePins.check` re-reads and re-verifies the sidecar, then reports every gate a
candidate body dropped, reworded or moved after a later gate. A changed gate is a weakened gate: the
check is on whole normalized lines, so appending "unless in a hurry" to a rule also counts.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Literal

from agentos.errors import IntegrityError
from agentos.skill.model import Skill

GateKind = Literal["declared", "marked", "ask-user", "confirm", "never"]

_MARKED = re.compile(r"<!--\s*gate\s*-->.*?<!--\s*/gate\s*-->", re.DOTALL | re.IGNORECASE)
_ASK = re.compile(r"AskUserQuestion")
_CONFIRM = re.compile(r"\b(confirm|confirmation|explicit approval|approve[sd]?)\b", re.IGNORECASE)
_NEVER = re.compile(r"\b(never|do not|don't|must not|must never)\b", re.IGNORECASE)
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
        elif _NEVER.search(line):
            found.append(Gate(skill.name, "never", line))
    flat = _norm(skill.body)
    found.sort(key=lambda g: flat.find(g.text))
    return [Gate(skill.name, "declared", _norm(g)) for g in skill.declared_gates] + found


def violations(gates: Iterable[Gate], body: str) -> list[GateViolation]:
    """Every gate `body` no longer keeps verbatim, or keeps out of its original order."""
    flat = _norm(body)
    lines = _lines(_MARKED.sub("", body))
    found: list[GateViolation] = []
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


class GatePins:
    """The gates of every skill, read back from a sidecar whose digest is checked on each use."""

    def __init__(self, path: Path, digest: str):
        self.path = path
        self.digest = digest

    def gates(self) -> dict[str, list[Gate]]:
        data = self.path.read_bytes()
        if "sha256:" + hashlib.sha256(data).hexdigest() != self.digest:
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

    def check(self, skill: str, body: str) -> list[GateViolation]:
        return violations(self.gates().get(skill, []), body)

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
    return GatePins(sidecar, "sha256:" + hashlib.sha256(blob).hexdigest())
