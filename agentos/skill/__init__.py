"""Skills: the Agent Skills model, gates, eval sets, the router, and tuning them.

The `skill-gates` tool node that checks skill rewrites is a built-in tool (`agentos.tools`).
"""

from agentos.skill.draft import draft_evals, write_draft
from agentos.skill.evals import EvalItem, augment, load_evals
from agentos.skill.evaluator import SkillEvaluator
from agentos.skill.gates import Gate, GatePins, detect_gates, pin_gates
from agentos.skill.model import (
    Skill,
    load_folder,
    load_skill,
    load_skills,
    parse_skill,
    render_skill,
)
from agentos.skill.operators import TextOperatorProposer
from agentos.skill.quality import problems as description_problems
from agentos.skill.report import TuneReport, render, render_table, to_json
from agentos.skill.router import EmbeddingRouter
from agentos.skill.tune import tune_skills

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
