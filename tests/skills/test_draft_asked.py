"""How the draft reads a description written as a marketplace writes one: "Use when asked X, Y,
or Z" lists the questions people type (direct ones without their mark included), a "Produces
..." sentence lists what the skill hands back, a disclaimer or a referral asks nothing, and a
spaced dash cuts an aside."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentos.skill.domain import shared_nouns
from agentos.skill.draft import draft_evals
from agentos.skill.phrasing import Rotation, as_request, as_typed, fragment, kind
from agentos.skillfile import Skill


def _skill(name: str, description: str) -> Skill:
    return Skill(name, description, "", Path(f"{name}/SKILL.md"))


def _queries(*skills: Skill) -> list[str]:
    return [str(row["query"]) for row in draft_evals(list(skills)) if row["slice"] == "clean"]


TAX = _skill(
    "tax-deduction-finder",
    "Surface the personal tax deductions and credits you might be missing. Use when asked what "
    "tax deductions can I claim, am I missing any tax breaks, deductions for [job/situation], "
    "or help me lower my tax bill. Produces a tailored list of commonly-missed deductions for "
    "your situation, what records each needs, and clear flags to verify against current rules. "
    "Educational — not tax advice, and rules vary by country and year.",
)
PRICE = _skill(
    "price-match-request",
    "Get a retailer to match a lower price you found, with the request written. Use when asked "
    "for a price match, I found it cheaper somewhere else, the price dropped after I bought it, "
    "or can I get a price adjustment. Produces the policy-aware request, the evidence that "
    "qualifies, and a fallback if they won't match. Complements the refund-letter pack.",
)
DEBT = _skill(
    "debt-collector-response",
    "Respond to a debt collector correctly. Use when asked how to deal with a debt collector, "
    "a collection agency is contacting me, is this debt real, or what am I actually paying for. "
    "Not legal advice.",
)
BUDGET = _skill(
    "budget-builder",
    "Build a realistic monthly budget. Use when asked to make a budget, plan monthly spending, "
    "allocate income, or help with getting finances under control.",
)


def test_the_questions_a_use_when_asked_list_gives_are_asked_as_questions() -> None:
    queries = _queries(TAX, PRICE, DEBT, BUDGET)
    for wanted in (
        "What tax deductions can I claim?",
        "Am I missing any tax breaks?",
        "Can I get a price adjustment?",
        "How should I deal with a debt collector?",
        "Is this debt real?",
        "What am I actually paying for?",
    ):
        assert wanted in queries, (wanted, queries)
    for told in (  # situations, each in one of the draft's wordings
        "I found it cheaper somewhere else",
        "A collection agency is contacting me",
        "The price dropped after I bought it",
    ):
        assert any(q.startswith(told) for q in queries), (told, queries)
    assert not any("asked" in q.lower() for q in queries), queries


def test_a_list_after_asked_to_is_a_list_of_orders() -> None:
    queries = _queries(TAX, PRICE, DEBT, BUDGET)
    assert "I want to plan monthly spending. Can you help?" in queries, queries
    assert "I want to allocate income. Can you help?" in queries, queries
    assert "Can you help me with getting finances under control?" in queries, queries
    assert not any("help me help" in q or "with plan " in q for q in queries), queries


def test_what_the_skill_produces_disclaims_or_complements_is_no_request() -> None:
    queries = " ".join(_queries(TAX, PRICE, DEBT, BUDGET)).lower()
    for said in ("tailored list", "records each", "fallback", "evidence", "educational",
                 "rules vary", "legal advice", "complement", "refund-letter"):
        assert said not in queries, (said, queries)


@pytest.mark.parametrize(
    ("phrase", "wanted"),
    [
        ("where you are on the payoff ladder", "Where am I on the payoff ladder?"),
        ("why they run out of money", "Why do I run out of money?"),
        ("does the warranty cover water damage", "Does the warranty cover water damage?"),
        ("what should I do with my money first", "What should I do with my money first?"),
        ("a dog or cat is hurt right now", "My dog or cat is hurt right now, what should I do?"),
    ],
)
def test_an_indirect_or_unmarked_question_is_asked_directly(phrase: str, wanted: str) -> None:
    assert as_request(phrase, Rotation()) == wanted


@pytest.mark.parametrize(
    "phrase", ["ranked by impact", "refunded under warranty", "ate something toxic", "is a must"]
)
def test_a_phrase_whose_subject_was_cut_off_is_a_fragment(phrase: str) -> None:
    assert fragment(phrase)


def test_a_relative_clause_anywhere_before_its_verb_keeps_a_topic() -> None:
    assert kind("a Lightroom catalogue that has moved") == "topic"
    assert kind("the paperwork that is missing") == "topic"
    assert kind("my printer is jammed") == "situation"


def test_a_spaced_dash_cuts_an_aside_and_a_verb_keeps_its_whether() -> None:
    bill = _skill(
        "lower-my-bill",
        "Negotiate a recurring bill down — internet, phone, insurance, gym — with a script. "
        "Decide whether to cancel a plan you no longer use.",
    )
    queries = _queries(bill)
    assert "Can you help me negotiate a recurring bill down?" in queries, queries
    assert not any(q.lower().endswith(("gym?", "decide?")) for q in queries), queries


def test_a_shouted_label_a_help_with_a_gerund_and_the_user_are_asked_as_people_ask() -> None:
    calls = _skill(
        "telephony",
        "Make phone calls for the family. Use when the user asks to call a restaurant, book an "
        "appointment by phone, or help planning a call. HIGH RISK - always requires approval.",
    )
    meals = _skill("meal-planning", "Plan weekly meals. Use when the user asks to plan meals.")
    queries = _queries(calls, meals)
    assert "Can you help me with planning a call?" in queries, queries
    assert not any("HIGH RISK" in q or "help me help" in q for q in queries), queries
    rows = draft_evals([calls, meals])
    assert not any("user" in str(r["query"]).lower().split() for r in rows), rows
    texts = [
        "education Manage school tasks. Use when the user mentions homework, grades, or tutoring.",
        "elder care Care for elderly parents. Use when the user mentions parents or senior care.",
    ]
    assert "user" not in shared_nouns(texts)  # "Write a short poem about my user."


def test_the_one_word_triggers_a_use_when_list_names_are_asked() -> None:
    """A "use when" list of three things or more keeps each one-word noun ("tutoring",
    "Canvas") and a name of two words; a word that describes ("cramped") or that modifies the
    noun after it ("hand or saddle pain") is none, and a phrase still says more than a word."""
    school = _skill(
        "education",
        "Manage school tasks. Use when the user mentions homework, grades, tutoring, Google "
        "Classroom, or study plans.",
    )
    fit = _skill("bike-fit", "Fit a bicycle. Use when the rider feels cramped, has knee, back, "
                 "hand or saddle pain, or is buying a new bike.")
    queries = " | ".join(_queries(school, fit))
    for word in ("homework", "grades", "tutoring", "Google Classroom", "study plans"):
        assert f" {word}?" in queries or f" {word}." in queries, (word, queries)
    for word in ("cramped?", "hand?", "back?", "knee?", "saddle pain?"):
        assert f" {word}" not in queries, (word, queries)
    from agentos.skill.sources import positives

    asked = positives(school)
    assert asked.index("study plans") < asked.index("homework"), asked


def test_a_request_on_a_verb_that_is_a_shell_command_too_is_a_request() -> None:
    """ "make a dinner reservation" is no `make` command, and "table," ends no adjective that
    would glue it to the next item; "Handles search" says what the skill does, so "handles"
    is no domain word for near-misses."""
    dining = _skill(
        "restaurant-reservation",
        "Make restaurant reservations. Use when the user wants to book a table, make a dinner "
        "reservation, or reserve a restaurant. Handles search and confirmation.",
    )
    helper = _skill("hire-helper", "Hire household help. Handles search, screening and hiring.")
    queries = _queries(dining, helper)
    assert any(q.endswith("book a table?") or "book a table." in q for q in queries), queries
    assert any("make a dinner reservation" in q for q in queries), queries
    assert not any("table, make" in q for q in queries), queries
    texts = [f"{s.name.replace('-', ' ')} {s.description}" for s in (dining, helper)]
    assert "handles" not in shared_nouns(texts)


@pytest.mark.parametrize(
    ("phrase", "wanted"),
    [
        ("how a story should be structured", "How should a story be structured?"),
        ("deciding what should happen", "Can you help me with deciding what should happen?"),
        ("who registered this domain", "Who registered this domain?"),
        (
            "how other authors handled similar material",
            "Can you help me with how other authors handled similar material?",
        ),
    ],
)
def test_a_wh_clause_about_a_thing_is_asked_in_question_order(phrase: str, wanted: str) -> None:
    assert as_request(phrase, Rotation()) == wanted


def test_an_agent_facing_description_gives_requests_not_instructions() -> None:
    """ "Load when ..." leads a list like "Use when ..."; a sentence addressed to another agent
    ("If you are @kb-lead, ...") and a slash command ("/llm-writing") are no requests; a list
    of verbs ("draft, revise, bridge, or polish") gives no one-word things."""
    memory = _skill(
        "story-memory",
        "Creative-writing domain knowledge for story state. Load when preserving or retrieving "
        "project memory: fact extraction, context scoping, or issue tracking. If you are "
        "@kb-lead, load this for the fiction-specific categories your methodology lacks.",
    )
    modes = _skill(
        "writing-modes",
        "Creative-writing addendum to /llm-writing. Load when putting prose on the page: draft, "
        "revise, bridge, vary, or polish.",
    )
    queries = _queries(memory, modes)
    assert any("retrieving project memory" in q for q in queries), queries
    assert not any(q.lower().startswith(("how do i load", "help me load")) for q in queries)
    assert not any(s in q for q in queries for s in ("kb-lead", "fiction-specific", "/llm"))
    assert not any(q.endswith(("revise?", "bridge?", "vary?")) for q in queries), queries


def test_a_request_quoted_in_someones_words_is_asked_as_typed() -> None:
    """ "This skill should be used when the user asks to "stage and commit", ..." quotes what
    people type: each is asked as typed, not wrapped as a topic ("I have a question about
    stage and commit."), and it is among the skill's requests however many others it has."""
    commit = _skill(
        "commit-staged",
        'This skill should be used when the user asks to "stage and commit", "commit my '
        'changes", "is this ready to commit", or "write a commit message". Use for commits, '
        "amend flows, hooks, signing, message style, scopes, trailers, co-authors, squashes, "
        "fixups, reverts, cherry-picks, tags, and release notes.",
    )
    queries = _queries(commit)
    for typed in ("Stage and commit", "Commit my changes", "Is this ready to commit?"):
        assert typed in queries, (typed, queries)
    assert not any("about stage and commit" in q or "with stage and commit" in q for q in queries)
    assert as_typed("write a commit message ") == "Write a commit message"


def test_single_quoted_words_are_typed_and_two_verbs_make_no_list_of_orders() -> None:
    churn = _skill(
        "churn-prevention",
        "When the user wants to reduce churn. Also use when the user mentions 'people keep "
        "canceling,' 'churn rate is too high,' or 'how do I keep users.'",
    )
    launch = _skill(
        "launch",
        "When the user wants to plan a product launch, feature announcement, or release "
        "strategy.",
    )
    queries = _queries(churn, launch)
    social = _skill(
        "social-content",
        "When the user wants help with social posts. Also use when the user says 'what should I "
        "post,' 'does their *audience* match us,' or 'how much should I post.'",
    )
    asked = _queries(social)
    assert "What should I post?" in asked and "Does their audience match us?" in asked, asked
    for typed in ("People keep canceling", "Churn rate is too high", "How do I keep users?"):
        assert typed in queries, (typed, queries)
    assert not any(q.startswith("I want to feature announcement") for q in queries), queries


def test_a_word_the_skills_use_as_a_verb_is_no_domain_word() -> None:
    texts = [
        "review pr This skill should be used when the user explicitly invokes a review, or "
        "wants to implement fixes.",
        "create pr Use it to implement a change and open a PR when the user invokes it.",
    ]
    assert not {"invokes", "implement"} & set(shared_nouns(texts))  # "Draw a cartoon of my
    # implement."
