"""The description-quality gate refuses the rewrites no author would ship (each one below was
accepted by an earlier offline proposer on real skills), passes the ones an author would write,
and a rewrite changes only the description's value in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentos.skill.gates import detect_gates
from agentos.skill.quality import problems
from agentos.skillfile import Skill, parse_skill, render_skill

DOCX = (
    "Create and edit Word documents (.docx). Use when the user asks to draft a letter, fix "
    'tracked changes or turn notes into a Word doc. Do NOT use for PDFs or "spreadsheets".'
)
QUERIES = [
    "find every occurrence of Acme Inc in the contracts",
    "improve the description so the skill triggers more reliably",
    "can you look at my pr before I merge it",
    "review the pr on branch feature-x",
]


@pytest.mark.parametrize(
    ("original", "rewrite", "why"),
    [
        ("Find text in files.", "Find text in files. Use for: occurrence, inc.", "word list"),
        ("Find text in files.", "Find text in files. It also covers occurrence and inc.", "'inc'"),
        (
            "Tune skill descriptions.",
            "Tune skill descriptions. Use for: improve description skill triggers more "
            "reliably, perf, w/.",
            "word list",
        ),
        (
            "Tune skill descriptions.",
            "Tune skill descriptions. It also covers perf and w/ tuning.",
            "'perf'",
        ),
        (
            "Review a pull request.",
            "Review a pull request. Use for: look pr before merge, rev pr, branch, br, "
            "feature-x, req.",
            "word list",
        ),
        ("Review a pull request.", "Review a pull request. It also covers br and req.", "'br'"),
        (DOCX, DOCX.replace("Word documents (.docx)", "documents"), "'.docx'"),
        (DOCX, DOCX.replace(" or turn notes into a Word doc", ""), "trigger phrase"),
        (DOCX, DOCX.replace(' Do NOT use for PDFs or "spreadsheets".', ""), "Do NOT use"),
        (DOCX, DOCX.replace('"spreadsheets"', "spreadsheets"), "trigger phrase"),
        (DOCX, DOCX + " Also when the user asks to", "fragment"),
        (DOCX, DOCX + " and letters", "fragment"),
        (
            "Review a pull request.",
            "Review a pull request. It also covers: look at my pr before I merge it.",
            "copies",
        ),
        (
            "Find text in files.",
            "Find text in files. It also covers every occurrence of Acme Inc.",
            "copies",
        ),
        (
            "Review a pull request.",
            "Review a pull request. It also covers deplyoments and rollbakcs.",
            "'deplyoments'",
        ),
        ("Rotate keys.", "Rotate keys. " + "It also covers tokens. " * 60, "over 1024"),
    ],
)
def test_the_gate_refuses_what_no_author_would_ship(original: str, rewrite: str, why: str) -> None:
    found = problems(original, rewrite, queries=QUERIES)
    assert found, rewrite
    assert any(why in p for p in found), found


COMMS = (
    "A set of resources to help me write all kinds of internal communications. Use this skill "
    "whenever asked to write internal communications (status reports, leadership updates, 3P "
    "updates, company newsletters, FAQs, incident reports, project updates, etc.)."
)
WEBAPP = (
    "Toolkit for interacting with and testing local web applications using Playwright. Supports "
    "verifying frontend functionality, debugging UI behavior, capturing browser screenshots."
)
WEBAPP_BODY = "## Common pitfall\n\nReconnaissance-then-action pattern.\n\n```\ncd frontend\n```\n"
THEMES = "Toolkit for styling artifacts with a theme: slides, docs and HTML landing pages."
ART = "Creating algorithmic art using p5.js with seeded randomness and flow fields."
WASTE = "Handle biological waste: autoclaving, sharps bins, and decontaminating BSL-2 surfaces."
SEEN_ONCE = [  # each word once: one query is no evidence that people ask for it
    "quantum particles drifting in organic harmonics",
    "where do used needles go",
    "decontaminate the biosafety cabinet after work",
    "which bags for lab coats",
]


@pytest.mark.parametrize(
    ("name", "original", "sentence", "why"),
    [  # each was kept by an earlier offline proposer on real skills
        ("internal-comms", COMMS, "It also covers p updates.", "short token 'p'"),
        (
            "webapp-testing",
            WEBAPP,
            "It also covers pitfall, pattern, reconnaissance-then-action, example, common and cd "
            "frontend.",
            "6 terms",
        ),
        ("webapp-testing", WEBAPP, "It also covers cd frontend.", "shell command 'cd'"),
        ("theme-factory", THEMES, "It also covers factory.", "skill's own name"),
        ("algorithmic-art", ART, "It also covers quantum, organic and harmonics.", "'quantum'"),
        (
            "doc-coauthoring",
            "Co-author documentation.",
            "It also covers project and step.",
            "filler",
        ),
        (
            "doc-coauthoring",
            "Co-author documentation.",
            "It also covers writing, save, restraint, subject and changes.",
            "5 terms",
        ),
        ("skill-creator", "Create new skills.", "It also covers evaluations and bunch.", "'bunch'"),
        ("biohazard-waste", WASTE, "It also covers needles, bags, biosafety and long.", "'long'"),
        ("biohazard-waste", WASTE, "It also covers sharps and autoclaving.", "already says"),
    ],
)
def test_the_gate_refuses_vague_or_unsupported_added_terms(
    name: str, original: str, sentence: str, why: str
) -> None:
    body = WEBAPP_BODY if name == "webapp-testing" else "Steps.\n"
    found = problems(
        original, f"{original} {sentence}", own_text=body, queries=SEEN_ONCE, name=name
    )
    assert any(why in p for p in found), found


SUPPORT = [  # queries with the words the passing rewrites add (none copied: no three in a run)
    "draft two memos for the board",
    "memos about the offsite",
    "cover letters for a job",
    "three cover letters",
    "compare revisions of the contract",
    "revisions from legal",
    "plan rollbacks",
    "rollbacks after a bad release",
    "kubernetes pod will not start",
    "restart kubernetes",
    "squash merges",
    "merges are blocked",
]


@pytest.mark.parametrize(
    ("original", "rewrite", "body"),
    [
        (
            DOCX,
            DOCX + " It also covers memos, cover letters and tracked revisions.",
            "Memos and cover letters use the house style; keep each revision.",
        ),
        (
            "Rotate leaked secrets.",
            "Rotate leaked secrets. It also covers rollbacks.",
            "Plan the rollback first.",
        ),
        (
            "Debug k8s pods.",
            "Debug k8s pods. It also covers Kubernetes and CrashLoopBackOff pods.",
            "Check CrashLoopBackOff.",
        ),
        (
            "Review a pull request.",
            "Review a pull request. It also covers PR merges.",
            "Read the PR before it merges.",
        ),
    ],
)
def test_the_gate_passes_what_an_author_would_write(original: str, rewrite: str, body: str) -> None:
    found = problems(original, rewrite, own_text=body, queries=QUERIES + SUPPORT, evidence=SUPPORT)
    assert found == []


def _skill(front: str) -> Skill:
    return parse_skill(Path("pdf/SKILL.md"), f"---\n{front}---\n# PDF\n\nSteps.\n", folder="pdf")


@pytest.mark.parametrize(
    "front",
    [
        "name: pdf\ndescription: Merge PDF files. # a comment\nlicense: Apache-2.0\n",
        "name: pdf\ndescription: 'Merge PDF files: it''s quick.'\nallowed-tools: [Bash]\n",
        'name: pdf\ndescription: "Merge PDF files."\nmetadata:\n  version: 2\n',
        "name: pdf\ndescription: Merge PDF files and\n  split them.\n# owner: docs team\n",
    ],
)
def test_a_rewrite_changes_only_the_description_value(front: str) -> None:
    skill = _skill(front)
    assert render_skill(skill) == f"---\n{front}---\n# PDF\n\nSteps.\n"
    added = " It also covers forms."
    new = skill.with_components({"pdf/description": skill.description + added})
    text = render_skill(new)
    old_lines = f"---\n{front}---\n# PDF\n\nSteps.\n".splitlines()
    new_lines = text.splitlines()
    assert len(new_lines) == len(old_lines)
    changed = [(a, b) for a, b in zip(old_lines, new_lines, strict=True) if a != b]
    assert len(changed) == 1 and "forms." in changed[0][1]
    assert parse_skill(Path("pdf/SKILL.md"), text, folder="pdf").description == new.description


GATE_SENTENCES = [  # (line of a body, is it a rule?)
    ("Never force-push to main.", True),
    ("Do not delete logs during an incident.", True),
    ("- Don't paste secrets into chat.", True),
    ("You must not share tokens.", True),
    ("Keep it short. Never skip the tests.", True),
    ("Do NOT commit credentials.", True),
    ("The migration must never run twice.", True),
    ("Under no circumstances drop the table.", True),
    ("Write in bullet points, never paragraphs.", False),
    ("This was never a problem before the upgrade.", False),
    ("Tests that never finish are reported as hung.", False),
    ("If the build does not pass, read the log.", False),
    ("The script does not need network access.", False),
    ("Use pytest fixtures for setup.", False),
    ("Run the linter before committing.", False),
    ("Errors that cannot be retried are shown in red.", False),
]


def test_never_rules_are_gates_and_passing_prose_is_not() -> None:
    body = "\n".join(line for line, _ in GATE_SENTENCES) + "\n"
    found = {g.text for g in detect_gates(Skill("s", "Does things.", body, Path("s/SKILL.md")))}
    rules = {line.lstrip("- ") for line, rule in GATE_SENTENCES if rule}
    assert found == rules  # precision and recall 1.0 on this labelled set


def test_negative_rules_in_the_description_are_pinned() -> None:
    skill = Skill("docx", DOCX, "Steps.\n", Path("docx/SKILL.md"))
    rules = [g for g in detect_gates(skill) if g.kind == "description"]
    assert [g.text for g in rules] == ['Do NOT use for PDFs or "spreadsheets".']


BIKE = "Quick safety check before riding: air, brakes, chain, quick releases, lights."
RIDE_QUERIES = [  # each word the refused sentences add is in one query at most
    "is the quick release closed properly",
    "check the bike before the ride tomorrow",
    "left side brake feels soft",
    "rode in the rain, what now",
    "I haven't ridden it in months",
    "heel method for seat height",
    "it lives in the shed",
    "chain squeaks often",
]


@pytest.mark.parametrize(
    ("sentence", "why"),
    [  # kept by the offline proposer on a new user's bicycle skills
        ("It also covers closed.", "past form"),
        ("It also covers side.", "'side'"),
        ("It also covers rain and often.", "'often', a word of when or how"),
        ("It also covers headset properly.", "'properly', a word of when or how"),
        ("It also covers shed and tomorrow.", "'tomorrow', a word of when or how"),
        ("It also covers haven't.", "a contraction"),
        ("It also covers seen, nothing and gauge.", "'nothing', a word of when or how"),
        ("It also covers heel method.", "'heel', used neither in the skill's text"),
    ],
)
def test_the_gate_refuses_terms_that_name_no_topic(sentence: str, why: str) -> None:
    found = problems(BIKE, f"{BIKE} {sentence}", queries=RIDE_QUERIES, name="pre-ride-check")
    assert any(why in p for p in found), found


def test_a_term_needs_the_skills_own_text_or_two_train_queries_never_held_out_ones() -> None:
    """Two eval queries that are held out (only `queries`, copy detection) vouch for nothing;
    the same two as train `evidence` do; so does the skill's own body."""
    two = ["pump the tubeless tyres", "tubeless tyres lost air overnight"]
    queries = [*RIDE_QUERIES, *two]
    added = f"{BIKE} It also covers tubeless tyres."
    found = problems(BIKE, added, queries=queries, name="pre-ride-check")
    assert any(p.startswith("adds 'tubeless', used neither in the skill's text") for p in found)
    one = problems(BIKE, added, queries=queries, name="pre-ride-check", evidence=two[:1])
    assert any(p.startswith("adds 'tubeless'") for p in one)
    assert problems(BIKE, added, queries=queries, name="pre-ride-check", evidence=two) == []
    body = "## Tyres\nPump tubeless tyres to the pressure on the sidewall.\n"
    assert problems(BIKE, added, own_text=body, queries=queries, name="pre-ride-check") == []


def test_the_authors_own_words_are_no_copy_and_a_copy_is_quoted_not_the_query() -> None:
    """A draft eval set can quote a description back ("animated GIFs for Slack"); a rewrite
    that keeps those words copies nothing. A real copy is refused quoting the candidate's run,
    never the eval query (it may be held out)."""
    gif = "Make animated GIFs for Slack. Use when users request animated GIFs for Slack."
    held_out = ["I have a question about animated GIFs for Slack.", "shrink this gif for emoji"]
    kept = problems(gif, f"{gif} It is also for frames and palettes.", queries=held_out,
                    own_text="## Frames\nKeep palettes small.\n")  # fmt: skip
    assert not [p for p in kept if "copies" in p], kept
    copied = problems(gif, f"{gif} It also helps shrink this gif for emoji.", queries=held_out)
    assert "copies an eval query: 'shrink gif emoji'" in copied, copied
    assert not any("I have a question" in p for p in copied)  # no other query is ever shown
