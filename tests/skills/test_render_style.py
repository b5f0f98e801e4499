"""A rewritten description keeps the YAML style its author wrote: a `|` or `>` block stays a
block (a rewrite that lost the trailing newline included), a value written over several lines is
re-wrapped at the original's line width, and every other line of the file is kept byte for byte."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentos.skillfile import parse_skill, render_skill

RULE = "Merge PDF files and split them into pages when the user asks for it."
FRONTS = {
    "literal": f"description: |\n  {RULE}\n  Do NOT use for Word documents.\n",
    "folded": f"description: >\n  {RULE}\n  Do NOT use for Word documents.\n",
    "plain": "description: Merge PDF files and split them into pages when the user asks for\n"
    "  it. Do NOT use for Word documents.\n",
    "double": 'description: "Merge PDF files and split them into pages when the user asks for\n'
    '  it. Do NOT use for Word documents."\n',
    "single": "description: 'Merge PDF files and split them into pages when the user's asks for\n"
    "  it. Do NOT use for Word documents.'\n".replace("user's", "user''s"),
}
ADDED = "It also covers merging scanned forms and invoices from several sources."


def _text(description: str) -> str:
    return f"---\nname: pdf\n{description}license: MIT # kept\n---\n# PDF\n\nSteps.\n"


@pytest.mark.parametrize("style", list(FRONTS))
@pytest.mark.parametrize("how", ["append", "prepend"])
def test_a_rewrite_keeps_the_scalar_style_and_the_line_width(style: str, how: str) -> None:
    original = _text(FRONTS[style])
    skill = parse_skill(Path("pdf/SKILL.md"), original, folder="pdf")
    assert render_skill(skill) == original
    flat = " ".join(skill.description.split())  # what the operators make of it: one stripped line
    new = f"{flat} {ADDED}" if how == "append" else f"Split PDF files. {flat}"
    text = render_skill(skill.with_components({"pdf/description": new}))
    again = parse_skill(Path("pdf/SKILL.md"), text, folder="pdf")
    assert again.description.split() == new.split()
    head, value = FRONTS[style].split("\n")[0], text.split("\n")[2]
    if style in ("literal", "folded"):
        assert value == head and again.description.endswith("\n")  # still the block, chomping kept
    else:
        quote = head[13] if head[13] in "'\"" else ""  # the same quote (none), several lines
        assert value[13] in (quote or "MS") and "\n  " in text
    lines = text.split("\n")
    assert lines[:2] == ["---", "name: pdf"]
    assert text.endswith("license: MIT # kept\n---\n# PDF\n\nSteps.\n")
    assert max(len(line) for line in lines) <= max(len(x) for x in original.split("\n"))
    if how == "append":  # the original lines are untouched; only the last one gained words
        old_lines = original.split("\n")
        kept = [line for line in old_lines if line in lines]
        assert len(kept) >= len(old_lines) - 2


@pytest.mark.parametrize("style", ["literal", "folded"])
def test_a_sentence_put_before_a_blocks_rule_row(style: str) -> None:
    """The operators put an added sentence before the "Do NOT use" rule. In a literal block a
    line break is the author's text, so the sentence gets a row of its own and every row of
    the author's stays byte for byte; a folded block re-wraps the rows it changed."""
    original = _text(FRONTS[style])
    skill = parse_skill(Path("pdf/SKILL.md"), original, folder="pdf")
    flat = " ".join(skill.description.split())
    new = flat.replace("Do NOT use", "It is also for invoices. Do NOT use")
    text = render_skill(skill.with_components({"pdf/description": new}))
    again = parse_skill(Path("pdf/SKILL.md"), text, folder="pdf")
    assert again.description.split() == new.split()
    old_rows, rows = original.split("\n"), text.split("\n")
    if style == "literal":
        assert rows == [*old_rows[:4], "  It is also for invoices.", *old_rows[4:]]
    else:
        assert "  Do NOT use for Word documents." not in rows  # re-wrapped with the sentence
