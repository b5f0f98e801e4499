"""The gate detector's precision and recall on a labelled set of gate and non-gate sentences
(`data/gate_sentences.jsonl`: body lines and description sentences, software, kitchen and
field-work wording, rules and prose that only sounds like one). The figures are reported in
docs/skills.md; the floors below are what the detector must not fall under."""

from __future__ import annotations

import json
from pathlib import Path

from agentos.skill.gates import detect_gates
from agentos.skillfile import Skill

DATA = Path(__file__).parent / "data" / "gate_sentences.jsonl"
PRECISION_FLOOR = 0.95
RECALL_FLOOR = 0.80


def detected(where: str, text: str) -> bool:
    """Whether the detector pins `text` as a gate where it stands (a body line, or a sentence of
    the description)."""
    if where == "body":
        gates = detect_gates(Skill("s", "Does things.", text + "\n", Path("s/SKILL.md")))
        return any(g.kind != "description" for g in gates)
    gates = detect_gates(Skill("s", f"Does things. {text}", "Body.\n", Path("s/SKILL.md")))
    return any(g.kind == "description" and g.text == text for g in gates)


def test_gate_detector_precision_and_recall_on_the_labelled_set() -> None:
    rows = [json.loads(line) for line in DATA.read_text().splitlines() if line.strip()]
    assert len(rows) >= 60
    assert {r["where"] for r in rows} == {"body", "description"}
    truth = [bool(r["gate"]) for r in rows]
    assert 0.3 < sum(truth) / len(truth) < 0.7  # both classes well represented
    found = [detected(r["where"], r["text"]) for r in rows]
    tp = sum(f and t for f, t in zip(found, truth, strict=True))
    precision = tp / max(1, sum(found))
    recall = tp / sum(truth)
    assert precision >= PRECISION_FLOOR, (precision, recall)
    assert recall >= RECALL_FLOOR, (precision, recall)
