"""Skills: the Agent Skills model, gates, eval sets, the router, and tuning them.

The `skill-gates` tool node that checks skill rewrites is a built-in tool (`agentos.tools`).

The names below load their module on first use, so a module of the package (the gates, the
model) imports without the router, the embedding model and the LLM client.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from agentos.skill.draft import draft_evals, write_draft
    from agentos.skill.evals import EvalItem, augment, load_evals
    from agentos.skill.evaluator import SkillEvaluator
    from agentos.skill.gates import Gate, GatePins, detect_gates, pin_gates
    from agentos.skill.operators import TextOperatorProposer
    from agentos.skill.quality import problems as description_problems
    from agentos.skill.report import TuneReport, render, to_json
    from agentos.skill.router import EmbeddingRouter
    from agentos.skill.text import render_table
    from agentos.skill.tune import tune_skills
    from agentos.skillfile import (
        Skill,
        load_folder,
        load_skill,
        load_skills,
        parse_skill,
        render_skill,
    )

_WHERE = {
    "EmbeddingRouter": ("router", "EmbeddingRouter"),
    "EvalItem": ("evals", "EvalItem"),
    "Gate": ("gates", "Gate"),
    "GatePins": ("gates", "GatePins"),
    "Skill": ("agentos.skillfile", "Skill"),
    "SkillEvaluator": ("evaluator", "SkillEvaluator"),
    "TextOperatorProposer": ("operators", "TextOperatorProposer"),
    "TuneReport": ("report", "TuneReport"),
    "augment": ("evals", "augment"),
    "description_problems": ("quality", "problems"),
    "detect_gates": ("gates", "detect_gates"),
    "draft_evals": ("draft", "draft_evals"),
    "load_evals": ("evals", "load_evals"),
    "load_folder": ("agentos.skillfile", "load_folder"),
    "load_skill": ("agentos.skillfile", "load_skill"),
    "load_skills": ("agentos.skillfile", "load_skills"),
    "parse_skill": ("agentos.skillfile", "parse_skill"),
    "pin_gates": ("gates", "pin_gates"),
    "render": ("report", "render"),
    "render_skill": ("agentos.skillfile", "render_skill"),
    "render_table": ("text", "render_table"),
    "to_json": ("report", "to_json"),
    "tune_skills": ("tune", "tune_skills"),
    "write_draft": ("draft", "write_draft"),
}


def __getattr__(name: str) -> Any:
    if name not in _WHERE:
        raise AttributeError(f"module 'agentos.skill' has no attribute {name!r}")
    module, attr = _WHERE[name]
    full = module if module.startswith("agentos.") else f"agentos.skill.{module}"
    return getattr(importlib.import_module(full), attr)


__all__ = [
    "EmbeddingRouter",
    "EvalItem",
    "Gate",
    "GatePins",
    "Skill",
    "SkillEvaluator",
    "TextOperatorProposer",
    "TuneReport",
    "augment",
    "description_problems",
    "detect_gates",
    "draft_evals",
    "load_evals",
    "load_folder",
    "load_skill",
    "load_skills",
    "parse_skill",
    "pin_gates",
    "render",
    "render_skill",
    "render_table",
    "to_json",
    "tune_skills",
    "write_draft",
]
