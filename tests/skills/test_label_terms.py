"""A term a skill writes only as a label of its own layout (a heading, a table cell, a bold
run) names a part of the document, not a thing a request asks about; and a word capitalised
only because it opens a table cell, behind a quote, is written in lower case. The skills below
are shaped like a public folder's (a plan-writing skill with an `## Execution Handoff` section,
a worktree skill with a `**Submodule guard:**` label, a verification skill whose table cells
open on `Linter`)."""

from __future__ import annotations

from pathlib import Path

from agentos.skill.examples import with_examples
from agentos.skill.quality import problems
from agentos.skill.support import label_problems
from agentos.skill.written import as_written
from agentos.skillfile import Skill

PLANS = Skill(
    "writing-plans",
    "Use when you have a spec or requirements for a multi-step task, before touching code.",
    "# Writing Plans\n\nWrite the plan as small tasks, each with its files and its test.\n\n"
    "## Plan Document Header\n\nEvery plan opens with its goal and its architecture.\n\n"
    "## Execution Handoff\n\nAfter saving the plan, offer the two ways to run it.\n\n"
    "## Task Right-Sizing\n\nA task is right-sized when one review reads it. Keep each task "
    "small: task right-sizing keeps reviews short.\n",
    Path("writing-plans/SKILL.md"),
)
WORKTREES = Skill(
    "using-git-worktrees",
    "Use when starting feature work that needs isolation from the current workspace.",
    "**Submodule guard:** inside a submodule the check is true too; verify first.\n\n"
    "| Situation | Action |\n|---|---|\n"
    "| In a submodule | Treat as a normal repo (Step 0 guard) |\n"
    "| Worktree exists | Reuse it |\n",
    Path("using-git-worktrees/SKILL.md"),
)
VERIFY = Skill(
    "verification-before-completion",
    "Use when about to claim that work is complete, fixed or passing.",
    "| Claim | Requires | Not sufficient |\n|---|---|---|\n"
    "| Linter clean | Linter output: 0 errors | Partial check |\n"
    '| Build succeeds | Build command: exit 0 | Linter passing |\n| "Linter passed" | the '
    "compiler's exit code |\n",
    Path("verification-before-completion/SKILL.md"),
)


def _added(skill: Skill, term: str) -> list[str]:
    new = with_examples(skill.description, [term])
    assert new is not None
    return problems(skill.description, new, own_text=skill.body, name=skill.name)


def test_a_heading_label_alone_is_no_term_but_the_same_words_in_a_sentence_are() -> None:
    for term in ("execution handoff", "document header"):
        assert any("only as a label" in p for p in _added(PLANS, term)), term
    # the body writes "task right-sizing" in a sentence as well as in its heading
    assert label_problems("task right-sizing", [PLANS.description], PLANS.body) == []
    assert not any("only as a label" in p for p in _added(PLANS, "task right-sizing"))


def test_a_bold_label_and_a_table_cell_are_labels_too() -> None:
    assert any("only as a label" in p for p in _added(WORKTREES, "guard"))
    assert label_problems("submodule", [WORKTREES.description], WORKTREES.body) == []


def test_a_word_capitalised_only_where_a_cell_opens_is_written_lower_case() -> None:
    text = f"{VERIFY.description}\n{VERIFY.body}"
    assert as_written("linter", text) == "linter"
    assert as_written("linter output", text) == "linter output"
    assert not any("which the skill writes 'Linter'" in p for p in _added(VERIFY, "linter"))
    # a word capitalised inside a sentence is still a name the tuner writes so
    assert as_written("compiler", "Ask Compiler first. Then run the Compiler.") == "Compiler"


def test_a_word_the_skill_writes_mostly_as_a_verb_is_no_topic() -> None:
    using = Skill(
        "using-skills",
        "Use when starting any conversation: how to find and use skills before any response.",
        "If a skill might apply, you MUST invoke the skill.\n\n"
        "**Invoke relevant or requested skills BEFORE any response.**\n\n"
        '| "I know what that means" | Knowing the concept is not using the skill. Invoke it. |\n',
        Path("using-skills/SKILL.md"),
    )
    new = with_examples(using.description, ["invoke"])
    assert new is not None
    found = problems(
        using.description,
        new,
        own_text=using.body,
        name=using.name,
        evidence=["skills: how to find + invoke?", "do you invoke skills on your own"],
    )
    assert any("as a thing in only" in p for p in found), found
    # a heading names the topic twice: "cost" as a verb once beside it leaves it a topic
    vet = Skill(
        "vet-visit-prep",
        "Get ready for a vet appointment: what to bring and what to ask.",
        "Ask what each test tells us, and what does it cost?\n\n## Costs\n\n"
        "Ask for an estimate of the costs before any procedure.\n",
        Path("vet-visit-prep/SKILL.md"),
    )
    new = with_examples(vet.description, ["costs"])
    assert new is not None
    found = problems(vet.description, new, own_text=vet.body, name=vet.name)
    assert not any("as a thing in only" in p for p in found), found


def test_a_markup_tag_is_a_label() -> None:
    using = Skill(
        "using-skills",
        "Use when starting any conversation: how to find and use skills before any response.",
        "<EXTREMELY-IMPORTANT>\nIf a skill might apply, use it.\n</EXTREMELY-IMPORTANT>\n",
        Path("using-skills/SKILL.md"),
    )
    assert any("only as a label" in p for p in _added(using, "EXTREMELY-IMPORTANT"))


def test_a_listing_sentence_left_with_no_term_is_refused() -> None:
    """Dropping qualifiers once took the only term of the tuner's sentence and left its lead."""
    original = "Use when starting any conversation, before any response."
    for empty in ("Also use it when a request mentions.", "This skill also covers."):
        found = problems(original, f"{original} {empty}")
        assert any("lists nothing" in p for p in found), (empty, found)
    listed = problems(original, f'{original} Also use it when a request mentions "response".')
    assert not any("lists nothing" in p for p in listed), listed


def test_a_phrase_is_written_in_the_case_the_skill_writes_it_whole() -> None:
    # "page" alone is written in lower case once; "Page Speed" only ever with capitals
    text = (
        "Check the Core Page Speed scores of every template, and the Core Page Speed report.\n"
        "Keep each page consistent across the web.\n"
    )
    assert as_written("page speed", text) == "Page Speed"
    assert as_written("page", text) == "page"
    original = "Audit a site's technical health. Use for crawl errors and indexing."
    refused = problems(original, f'{original} Also use it when a request mentions "page Speed".',
                       own_text=text, name="site-audit")
    assert any("'page Speed', which the skill writes 'Page Speed'" in why for why in refused)
    whole = problems(original, f'{original} Also use it when a request mentions "Page Speed".',
                     own_text=text, name="site-audit")
    assert any("part of a longer name" in why for why in whole), whole  # "Core Page Speed"


def test_a_name_goes_on_over_and_or_of() -> None:
    text = (
        "Covers the Arts Council (Arts Council England) and the Arts Council of Wales, and the\n"
        "Film Council and Media Board.\n"
    )
    original = "Draft arts funding bids. Use for grant budgets and letters of support."
    said = f'{original} Also use it when a request mentions "Film Council".'
    assert any("part of a longer name" in why for why in problems(original, said, own_text=text))


def test_a_bold_title_case_label_gives_no_word_its_capital() -> None:
    text = "# SEO audit\n\nStart with the sitemap.\n\n**Crawl Budget Issues** (for large sites)\n"
    assert as_written("crawl budget", text) == "crawl budget"
    assert as_written("budget", text) == "budget"
