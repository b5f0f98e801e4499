"""Shared pieces of the skill tests: a folder of skills with its eval set, and a stand-in Claude
that routes by shared words."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from helpers import EXAMPLES, commit_all

from agentos.providers.llm.fake_api import Scripted, ToolCall
from agentos.skillfile import Skill

SKILL_EXAMPLES = EXAMPLES / "skills"  # the example skills and their eval set
Row = tuple[str, str | None, str]  # query, expected skill (None: near-miss), split


def skill(name: str, description: str) -> Skill:
    """An in-memory skill with a plain body."""
    return Skill(name, description, "Steps.\n", Path(name) / "SKILL.md")


def write_skills(
    root: Path,
    descriptions: Mapping[str, str],
    rows: Sequence[Row],
    *,
    body: str = "Steps.\n",
    git: bool = False,
) -> Path:
    """`root/skills/NAME/SKILL.md` for each description and `root/evals.jsonl` (slice `clean`);
    with `git`, `root` becomes a repository with one commit. Returns the skills folder."""
    for name, description in descriptions.items():
        (root / "skills" / name).mkdir(parents=True)
        (root / "skills" / name / "SKILL.md").write_text(
            f"---\nname: {name}\ndescription: {description}\n---\n{body}"
        )
    (root / "evals.jsonl").write_text(
        "".join(
            json.dumps({"query": q, "expect": e, "slice": "clean", "split": s}) + "\n"
            for q, e, s in rows
        )
    )
    if git:
        commit_all(root, "skills")
    return root / "skills"


def with_description(skill_md: str, description: str) -> str:
    """A SKILL.md text with its one-line description replaced."""
    old = skill_md.split("description: ")[1].split("\n")[0]
    return skill_md.replace(old, description)


def keyword_route(body: dict[str, Any]) -> Scripted:
    """A stand-in model: picks the listed skill whose description shares a word with the query."""
    system = body["system"][0]["text"]
    listed = [
        (chunk.split("</name>")[0], chunk.split("<description>")[1].split("</description>")[0])
        for chunk in system.split("<name>")[1:]
    ]
    text = body["messages"][0]["content"]
    choices = []
    for index, query in json.loads(text[text.index("[") :]):
        words = set(query.lower().split())
        hit = next(
            (
                n
                for n, d in listed
                if words & set(re.findall(r"[a-z]+", d.lower())) - {"or", "a", "to"}
            ),
            "none",
        )
        choices.append({"id": index, "skill": hit})
    return ToolCall("route", {"choices": choices})


def gate_refusals(folder: str, name: str, added: str) -> list[str]:
    """The evaluator's refusals of the sentence `added` appended to skill `name`'s description
    in the shipped example folder `examples/FOLDER`; the proposer's gate (`train_gate`, the
    whole skill set given) must agree with them: both refuse, or both pass."""
    from agentos.skill import load_skills
    from agentos.skill.evals import load_evals
    from agentos.skill.quality import description_problems, train_gate

    root = EXAMPLES / folder
    skills = load_skills(root)
    items = load_evals(root / "evals.jsonl", [s.name for s in skills])
    skill = next(s for s in skills if s.name == name)
    text = f"{skill.description.rstrip()} {added}"
    train = [i for i in items if i.split == "train"]
    found = description_problems(
        skill,
        skill.with_components({f"{name}/description": text}),
        [i.query for i in items],
        [i.query for i in train if i.expect == name and not i.generated],
        skills,
    )
    assert train_gate(skill, train, skills)(text) == (not found)
    return found

