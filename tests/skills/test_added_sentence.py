"""The sentence the offline tuner adds must read like its author wrote it, for any term list.

Each refused claim below ("It is also for library.") was kept by the tuner on a shipped example
folder: a bare singular noun, or half of a phrase the skill writes ("bacon" of "bacon strip").
The sentence the tuner writes now names the words a request uses, quoted, which reads right for
any term, and the gate passes it with the same terms."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentos.skill import load_skills
from agentos.skill.evals import EvalItem, load_evals
from agentos.skill.examples import LEAD, own_terms, requests_of, split_examples, with_examples
from agentos.skill.quality import problems
from agentos.skill.triggers import trigger_phrases
from agentos.skillfile import Skill

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _check(folder: str, name: str, sentence: str) -> list[str]:
    """The gate's problems with `sentence` added to `name`'s description, with the evidence
    the evaluator gives it (the skill's own hand-written train queries)."""
    root = EXAMPLES / folder
    skills = {s.name: s for s in load_skills(root)}
    items = load_evals(root / "evals.jsonl", list(skills))
    skill = skills[name]
    return problems(
        skill.description,
        with_sentence(skill.description, sentence),
        own_text=skill.body,
        queries=[i.query for i in items],
        name=name,
        evidence=[i.query for i in items if i.split == "train" and i.expect == name],
        siblings=list(skills),
        sibling_texts=[f"{s.description}\n{s.body}" for s in skills.values() if s.name != name],
    )


def with_sentence(description: str, sentence: str) -> str:
    return f"{description.rstrip()} {sentence}"


KEPT_BEFORE = [  # verbatim, as the tuner kept them
    ("skills", "dependency-upgrade", "It is also for library."),
    ("skills", "dev-environment-setup", "It is also for laptop."),
    ("skills", "secret-rotation", "It is also for consumer."),
    ("skills-bicycle", "bike-fit", "It is also for foot."),
    ("skills-bicycle", "tubeless-setup", "It is also for booster, bacon, strip and hole."),
    ("skills-bicycle", "wheel-truing", "It is also for pinging, length and stand."),
    ("skills-bicycle", "brake-adjustment", "It is also for slow test and front disc."),
    ("skills-lab", "biohazard-waste", "It is also for needle and bags."),
    ("skills-bicycle", "chain-care", "It is also for rain."),
]
LIKE_THEM = [  # the same defects in the other claim forms the gate reads
    ("skills", "dependency-upgrade", "It also covers library."),
    ("skills", "dev-environment-setup", "This skill handles laptop and editors."),
    ("skills-bicycle", "tubeless-setup", "It also applies to sealant and valve core."),
    ("skills-bicycle", "tubeless-setup", 'Also use it when a request mentions "bacon".'),
]


@pytest.mark.parametrize(("folder", "name", "sentence"), KEPT_BEFORE + LIKE_THEM)
def test_the_gate_refuses_a_bare_singular_noun_or_half_a_phrase(
    folder: str, name: str, sentence: str
) -> None:
    found = _check(folder, name, sentence)
    assert any("bare singular noun" in p or "half of the phrase" in p for p in found), found


@pytest.mark.parametrize(
    ("folder", "name", "terms"),
    [
        ("skills", "dependency-upgrade", ["library"]),
        ("skills", "dev-environment-setup", ["laptop"]),
        ("skills-bicycle", "tubeless-setup", ["bacon strip"]),
        ("skills-kitchen", "recipe-scaling", ["cups", "tablespoons"]),
    ],
)
def test_the_gate_passes_the_same_terms_named_as_words(
    folder: str, name: str, terms: list[str]
) -> None:
    sentence = with_examples("", terms)
    assert sentence is not None and sentence.startswith(LEAD)
    assert _check(folder, name, sentence) == []


@pytest.mark.parametrize(
    ("name", "term"),
    [
        ("protein-assay", "extinction coefficient"),  # "(extinction coefficient x path length)"
        ("protein-assay", "linear range"),  # "(linear range only)"
    ],
)
def test_a_limiting_word_or_a_lone_letter_after_a_term_makes_no_phrase(
    name: str, term: str
) -> None:
    """A term the skill writes only before "only" or an operator such as "x" is whole: neither
    continues a phrase, so it is no half of one."""
    sentence = with_examples("", [term])
    assert sentence is not None
    assert _check("skills-lab", name, sentence) == []


def test_the_sentence_names_words_for_any_term_list_and_reads_back() -> None:
    text = with_examples("Deploy a service. Do NOT use for docs.", ["rollout", "release train"])
    assert text == (
        'Deploy a service. Also use it when a request mentions "rollout" or "release train". '
        "Do NOT use for docs."
    )
    assert split_examples(text) == (
        "Deploy a service.",
        ["rollout", "release train"],
        "Do NOT use for docs.",
    )
    three = with_examples(text, ["a b", "c", "d"])
    assert three == (
        'Deploy a service. Also use it when a request mentions "a b", "c" or "d". '
        "Do NOT use for docs."
    )
    for old in ("It is also for crumb.", "It also covers crumb."):  # earlier claim forms
        assert with_examples(f"Bake bread. {old}", ["crumb", "rise"]) == (
            'Bake bread. Also use it when a request mentions "crumb" or "rise".'
        )


def test_the_tuners_own_sentence_holds_no_trigger_phrase() -> None:
    """A rewritten folder tuned again may change the tuner's sentence; the author's quoted
    terms and "use when" rules stay triggers."""
    tuned = 'Rotate keys. Use it when a "token" leaks. Also use it when a request mentions "vault".'
    assert trigger_phrases(tuned) == ["token", 'Use it when a "token" leaks.']


SOURCE_DESK = """API security hardening. Use when adding rate limiting, input validation, CORS
configuration or key management to a web service."""
SOURCE_BODY = """# API hardening

## OAuth integration (Google example)

Register the app, then verify the ID token the client sends.

### Pull quotes workflow

Mark the lines worth quoting while you read the transcript.

## Launching fix subagents

One subagent per failing test; each writes its fix subagents report.

### Stripping down API requests

Drop the headers a request does not need.

```python
# Pull text between two timestamps
text = cut(transcript, start, end)
```
"""


@pytest.mark.parametrize(
    ("term", "why"),
    [
        ("google", "which the skill writes 'Google'"),
        ("cors mistakes", "which the skill writes 'CORS'"),
        ("pull", "half of the phrase 'pull quot...'"),  # the code block's "Pull text" is no use
        ("launching fix", "half of the phrase 'launching fix subagent...'"),
        ("stripping", "half of the phrase 'stripping down...'"),
    ],
)
def test_a_term_is_written_whole_and_in_the_case_the_skill_writes_it(term: str, why: str) -> None:
    """Terms a new user saw the tuner take from a skill's headings, as the skill writes them."""
    refused = problems(
        SOURCE_DESK, with_examples(SOURCE_DESK, [term]) or "", own_text=SOURCE_BODY, name="api"
    )
    assert any(why in p for p in refused), refused


@pytest.mark.parametrize(
    "term", ["Google", "CORS mistakes", "pull quotes", "rate limiting", "the transcript"]
)
def test_the_same_terms_written_as_the_skill_writes_them_pass_that_rule(term: str) -> None:
    """A word that ends a heading's topic (`workflow`, `example`) makes no phrase of the term
    before it; a capitalised word at a sentence's start is no evidence of a name."""
    new = with_examples(SOURCE_DESK, [term]) or ""
    found = problems(SOURCE_DESK, new, own_text=SOURCE_BODY, name="api")
    assert not [p for p in found if "half of the phrase" in p or "which the skill writes" in p]


def test_the_offline_tuner_writes_a_term_in_the_case_the_skill_writes_it() -> None:
    """Queries type names in lower case ("cors", "google"); the terms the tuner takes from them,
    and from the skill's own body, are written as the skill writes them, so the gate passes
    them instead of refusing a name it would need."""
    skill = Skill("api", " ".join(SOURCE_DESK.split()), SOURCE_BODY, Path("api/SKILL.md"))
    train = [
        EvalItem("cors mistakes on the login page", "api", "clean", "train"),
        EvalItem("more cors mistakes after the deploy", "api", "clean", "train"),
        EvalItem("sign in with google keeps failing", "api", "clean", "train"),
    ]
    terms = requests_of(train, "api", f"{skill.description}\n{skill.body}")
    assert "CORS mistakes" in terms and "Google" in terms
    assert "cors mistakes" not in terms and "google" not in terms
    assert "mistakes" in terms and "page" in terms  # a word the skill never capitalises stays
    for term in ("CORS mistakes", "Google"):
        new = with_examples(SOURCE_DESK, [term]) or ""
        found = problems(SOURCE_DESK, new, own_text=SOURCE_BODY, name="api")
        assert not [p for p in found if "which the skill writes" in p], found
    body = (
        "## Packaging\n\nShip the app with Electron Forge; an Electron build signs each binary.\n"
    )
    electron = Skill("desktop", "Build desktop apps.", body, Path("desktop/SKILL.md"))
    assert "Electron" in " ".join(own_terms(electron))


DESKTOP = "Build and package desktop apps with Electron."
DESKTOP_BODY = """## Crashes

When the renderer process crashes, reload the window; a renderer process that hangs is killed
by the new laptop's power manager. Records are legally exempt from upload; properly exempt logs
stay local. Legislative documents and legislative records are out of scope.
Ask before you record mid-interview. Every chain checker we sell reads the chain wear.
"""


@pytest.mark.parametrize(
    ("term", "why"),
    [
        ("process", "the head of the phrase 'renderer process' the skill writes"),
        ("exempt", "only to qualify another word or as a predicate"),
        ("Legislative", "only to qualify another word or as a predicate"),
        ("record mid-interview", "only to qualify another word or as a predicate"),
    ],
)
def test_a_word_the_skill_never_writes_as_a_thing_of_its_own_is_no_term(
    term: str, why: str
) -> None:
    """A compound's head alone names more than the skill (`process` of "renderer process"); a
    word written only to qualify others or as a predicate names nothing (`exempt`, a word with
    an adjective's ending, a verb after its subject)."""
    new = with_examples(DESKTOP, [term]) or ""
    found = problems(DESKTOP, new, own_text=DESKTOP_BODY, name="desktop")
    assert any(why in p for p in found), found


@pytest.mark.parametrize("term", ["renderer process", "laptop", "window", "chain checker"])
def test_the_phrase_a_head_a_qualified_thing_and_a_named_compound_pass(term: str) -> None:
    """The compound itself passes; a head after an adjective (`new laptop`) or after a word of
    the skill's own name (`checker` in chain-care) names the thing; so does a word the skill
    writes as a thing of its own (`window`)."""
    new = with_examples(DESKTOP, [term]) or ""
    found = problems(DESKTOP, new, own_text=DESKTOP_BODY, name="desktop")
    assert not [p for p in found if "head of the phrase" in p or "only to qualify" in p], found
    checker = with_examples(DESKTOP, ["checker"]) or ""
    found = problems(DESKTOP, checker, own_text=DESKTOP_BODY, name="chain-care")
    assert not [p for p in found if "head of the phrase" in p], found


REVIEWS = "Write literature reviews and referee reports for journals."
REVIEWS_BODY = """## Synthesis

Group the studies by theme: thematic or quantitative synthesis across studies, and a search
strategy flowchart. Note temporal, contextual, or boundary-condition differences between them,
and sort the referee's major/minor comments. Migrations run `alembic upgrade head`; an alembic
revision is reviewed like code.
"""


@pytest.mark.parametrize("term", ["thematic", "temporal", "major"])
def test_a_modifier_coordinated_with_others_before_one_noun_is_no_term(term: str) -> None:
    """A word written only in a list of modifiers before one noun ("thematic or quantitative
    synthesis", "temporal, contextual, or boundary-condition differences", "major/minor
    comments") qualifies that noun, as it would right before it: alone it names nothing."""
    new = with_examples(REVIEWS, [term]) or ""
    found = problems(REVIEWS, new, own_text=REVIEWS_BODY, name="reviews")
    assert any("only to qualify another word" in p for p in found), found


@pytest.mark.parametrize("term", ["alembic", "studies", "flowchart"])
def test_a_name_with_an_adjectives_ending_and_a_noun_before_a_list_pass(term: str) -> None:
    """`alembic` is a name the English vocabulary does not know (its -ic is no adjective's
    ending); `studies` ends a phrase; neither is refused as a mere qualifier."""
    new = with_examples(REVIEWS, [term]) or ""
    found = problems(REVIEWS, new, own_text=REVIEWS_BODY, name="reviews")
    assert not [p for p in found if "only to qualify another word" in p], found


STATUTES = """## Statutes

| State | Law |
| New York | NY Public Officers Law |
| Arkansas | AR Code Ann. § 25-19-101 |
| Tennessee | Tenn. Code Ann. § 10-7-503 |

Requests to a New York agency go through its records officer; Google and Electron are names.
"""


@pytest.mark.parametrize(("term", "passes"), [("York", False), ("Code Ann", False),
                                              ("New York", True), ("Google", True)])  # fmt: skip
def test_a_capitalised_term_is_a_whole_name_not_part_of_one(term: str, passes: bool) -> None:
    """Written in its case, a fragment of a longer name the skill writes (`York` of "New York",
    `Code Ann` of "AR Code Ann.") still names nothing of its own."""
    description = "File public records requests."
    new = with_examples(description, [term]) or ""
    found = problems(description, new, own_text=STATUTES, name="records")
    refused = [p for p in found if "part of a longer name" in p]
    assert not refused if passes else refused, found
