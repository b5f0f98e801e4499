"""What a draft takes its requests from: the skill's prose, never its code or the stories and
thoughts its body quotes; headings that name a task of the skill, never a numbered step or a
shouted label; and every thing a "Do NOT use for" clause lists, each a near-miss or a request
for the sibling that does it."""

from __future__ import annotations

import random
from pathlib import Path

from agentos.skill.domain import shared_nouns
from agentos.skill.draft import draft_evals, near_misses, requests_of_skill
from agentos.skill.evals import normalized
from agentos.skill.phrasing import WORDING, as_request, topic_of
from agentos.skillfile import Skill, load_folder

ROOT = Path(__file__).resolve().parents[2]

PDF = Skill(
    "pdf",
    "Use this skill whenever the user wants to do anything with PDF files: merging PDFs, "
    "rotating pages, filling PDF forms.",
    "## Quick start\n\n```python\nfrom reportlab.pdfgen import canvas\n"
    'c.drawString(100, 700, "This is a PDF created with reportlab")\n'
    "## Merge Documents With Code\n```\n\n"
    'Call `write("Hello world from the script")` to add text.\n\n'
    "### Merge PDFs\n\n#### 4.2 Create 10 Evaluation Questions\n\n"
    "## DEDUCING THE SUBTLE REFERENCE\n\n### Drawing from Scratch\n\n"
    'To pick parameters, consider: "What qualities of this system can be adjusted?"\n'
    'The user says "combine these three scans into one file" and expects one PDF.\n'
    'Users ask for things (e.g., "split this report into chapters").\n',
    Path("pdf/SKILL.md"),
)


def _low(skill: Skill) -> set[str]:
    return {normalized(p) for p in requests_of_skill(skill)[0]}


def test_code_stories_steps_and_labels_give_no_request() -> None:
    low = _low(PDF)
    for bad in (
        "this is a pdf created with reportlab",  # a string in a code block
        "hello world from the script",  # a string in inline code
        "merge documents with code",  # a comment line inside a fenced block
        "create 10 evaluation questions",  # a numbered step
        "deducing the subtle reference",  # a shouted section label
        "drawing from scratch",  # a heading that names nothing the description names
        "what qualities of this system can be adjusted",  # a thought the body quotes
    ):
        assert bad not in low, (bad, low)
    assert "merge pdfs" in low  # a heading on the skill's own topic
    assert "combine these three scans into one file" in low  # the body says a user says it
    assert "split this report into chapters" in low  # given as an example


def test_a_heading_that_names_a_section_is_no_request() -> None:
    design = Skill(
        "frontend-design",
        "Create distinctive frontend interfaces with high design quality. Use when the user "
        "asks to build web components, pages or dashboards.",
        "## Design principles\n\nCommit to a bold direction.\n\n"
        "## Build components\n\nStart from the layout.\n\n"
        "## Prune dependencies\n\nKeep the bundle small.\n",
        Path("frontend-design/SKILL.md"),
    )
    requests = requests_of_skill(design)[0]
    low = {normalized(p) for p in requests}
    # "design" may be a verb, but "principles" names nothing the skill names: a section
    assert "design principles" not in low, requests
    assert not any("principles" in p for p in low), requests
    assert "build components" in low, requests  # the object is the skill's own: a task
    assert "prune dependencies" not in low  # a task, but about nothing the skill names


def test_a_description_that_names_itself_gives_what_it_is_for() -> None:
    kit = Skill(
        "theme-factory",
        "Toolkit for styling artifacts with a theme. Helps an owner pick colours for slides. "
        "This workflow helps users reuse a palette.",
        "Steps.\n",
        Path("theme-factory/SKILL.md"),
    )
    low = _low(kit)
    assert "styling artifacts with a theme" in low
    assert "pick colours for slides" in low
    assert "reuse a palette" in low
    assert not any(w in q for q in low for w in ("toolkit", "helps", "workflow"))


def test_fragments_that_point_back_or_end_on_a_predicate_are_no_requests() -> None:
    for phrase in (
        "These artifacts can be slides",
        "company design standards apply",
        "regardless of what they plan to do with the content",
    ):
        assert as_request(phrase, random.Random(0)) is None, phrase
    assert as_request("general kitten care", random.Random(0)) is not None
    assert as_request("emergencies happening right now", random.Random(0)) is not None


def _skill(name: str, description: str) -> Skill:
    return Skill(name, description, "Steps.\n", Path(name) / "SKILL.md")


def test_every_thing_a_do_not_clause_lists_is_a_near_miss_or_goes_to_its_sibling() -> None:
    docx = _skill(
        "docx",
        "Create and edit Word documents. Do NOT use for PDFs, spreadsheets, invoices for the "
        "garden centre, or general coding tasks unrelated to document generation.",
    )
    pdf = _skill("pdf", "Merge, split and fill PDF files.")
    xlsx = _skill("xlsx", "Open and edit spreadsheet files, formulas and charts.")
    assert near_misses(docx, [docx, pdf, xlsx]) == [
        ("PDFs", "pdf"),  # one word, the sibling's name
        ("spreadsheets", "xlsx"),  # one word, only that sibling's description says it
        ("invoices for the garden centre", None),
        ("general coding tasks unrelated to document generation", None),
    ]


def test_a_parenthesis_naming_a_sibling_by_its_words_sends_the_request_there() -> None:
    flea = _skill(
        "flea-and-tick",
        "Get rid of fleas. Do NOT use for ear mites diagnosis (that's a vet visit).",
    )
    vet = _skill("vet-visit-prep", "Get ready for a routine vet appointment.")
    aid = _skill("pet-first-aid", "Urgent help when a pet is hurt.")
    assert near_misses(flea, [flea, vet, aid]) == [("ear mites diagnosis", "vet-visit-prep")]


def test_a_word_most_siblings_use_tells_no_sibling() -> None:
    """'pet' is in most pet skills' text: sharing it and 'home' with adopting-a-pet does not
    make leaving the pet with a sitter an adoption request, nor a guess to leave out."""
    names = {
        "travelling-with-pets": "Take a pet on a trip. Do NOT use for leaving the pet at home "
        "with a sitter or kennel.",
        "adopting-a-pet": "Adopt a pet and bring it home.",
        "pet-first-aid": "Urgent help when a pet is hurt.",
        "flea-and-tick": "Rid a pet of fleas.",
        "food-switch": "Change what a dog or cat eats.",
    }
    skills = [_skill(n, d) for n, d in names.items()]
    assert near_misses(skills[0], skills) == [
        ("leaving the pet at home with a sitter or kennel", None)  # "or" joins one-word kennel
    ]


def test_the_draft_holds_every_clause_of_a_long_do_not_list() -> None:
    xlsx = _skill(
        "xlsx",
        "Open and edit spreadsheet files. Do NOT trigger when the primary deliverable is a "
        "Word document, HTML report, standalone Python script, database pipeline, or Google "
        "Sheets API integration, even if tabular data is involved.",
    )
    docx = _skill("docx", "Create and edit Word documents: letters, memos, reports.")
    rows = draft_evals([xlsx, docx])
    misses = {normalized(str(r["query"])): r["expect"] for r in rows if r["slice"] == "near-miss"}
    for thing, expect in (
        ("word document", "docx"),
        ("standalone python script", None),
        ("database pipeline", None),
        ("google sheets api integration", None),
    ):
        found = [e for q, e in misses.items() if thing in q]
        assert found and set(found) == {expect}, (thing, misses)
    assert not any("tabular data is involved" in q for q in misses)  # "even if": no request


def test_held_out_lines_share_no_topic_with_train_lines() -> None:
    """The split goes by topic: every line about one topic (a request, its variants, and the
    near-misses about it, such as "Tell me a joke about my dog.") is in one split, so a held-out
    query never asks about what a train one asks about."""
    skills = load_folder(ROOT / "examples" / "skills-pets")[0]
    rows = draft_evals(skills)
    clean = [r for r in rows if r["slice"] in ("clean", "near-miss")]
    train = {normalized(topic_of(str(r["query"]))) for r in clean if r["split"] == "train"}
    held = [normalized(topic_of(str(r["query"]))) for r in clean if r["split"] == "holdout"]
    held_misses = [r for r in clean if r["split"] == "holdout" and r["slice"] == "near-miss"]
    assert len(held_misses) >= len([r for r in clean if r["slice"] == "near-miss"]) // 4
    for topic in held:
        bare = topic.removeprefix("my ")
        assert not any(
            bare == t.removeprefix("my ")
            or (len(bare.split()) >= 2 and f" {bare} " in f" {t} ")
            or (len(t.split()) >= 2 and f" {t} " in f" {bare} ")
            for t in train
        ), topic
    assert topic_of("Tell me a joke about my dog.") == "my dog"


def test_an_order_on_an_uncommon_verb_is_asked_for_and_a_noun_stays_a_topic() -> None:
    topic = ("about", "with", "on")  # how a topic is asked about: "I have a question about ..."
    for seed in range(4):
        for phrase in ("manipulate Word documents", "produce professional documents"):
            asked = as_request(phrase, random.Random(seed))
            assert asked is not None and f"{topic[0]} {phrase}" not in asked, asked
            assert not any(f"{w} {phrase}" in asked for w in topic), asked
        for phrase in ("climate change", "template files"):
            asked = as_request(phrase, random.Random(seed))
            assert asked is not None and any(f"{w} {phrase}" in asked for w in topic), asked


def test_a_folders_shared_words_that_name_no_thing_make_no_near_miss() -> None:
    """ "Translate "my whenever" into French." named no thing."""
    texts = ["Use whenever you read about a dog.", "Whenever a dog barks, read along."]
    assert shared_nouns(texts) == ["dog"]


def test_a_placeholder_or_an_aside_is_no_request() -> None:
    deck = Skill(
        "pptx",
        "Read slides (even if the text will be used elsewhere, like in an email or summary).",
        'Users ask for things (e.g., "read file X", "make a GIF of X doing Y").\n',
        Path("pptx/SKILL.md"),
    )
    low = _low(deck)
    assert not any("like in an email" in q or " x" in f" {q}" for q in low), low


def test_a_gerund_with_a_relative_clause_is_asked_about_not_told_as_a_situation() -> None:
    asked = as_request("making choices that don't read as templated defaults", random.Random(0))
    assert asked is not None and "making choices that don't read" in asked, asked
    assert not asked.startswith(("Making", "My")), asked  # not "Making choices ... - what now?"


def test_a_skills_requests_take_the_drafts_wordings_in_turn() -> None:
    """Each skill's topics are asked with the wordings in turn, not at random: a wording's words
    ("advice", "question") are then no more one skill's than another's, so a tuner cannot learn
    a skill from them (`WORDING` lists them)."""
    bikes = _skill(
        "bike-care",
        "Covers brake pads, chain wear, tyre pressure, spoke tension, saddle height, gear "
        "cables, pedal threads, frame cracks.",
    )
    rows = [r for r in draft_evals([bikes]) if r["slice"] == "clean"]
    openings = ("Can you help me with", "I have a question about", "What should I know about")
    counts = [sum(str(r["query"]).startswith(o) for r in rows) for o in openings]
    counts.append(sum(str(r["query"]).startswith("I need some advice on") for r in rows))
    assert sum(counts) >= 8 and max(counts) - min(counts) <= 1, (counts, rows)
    assert {"advice", "help", "question", "joke"} <= WORDING


def test_a_sentence_sending_a_request_to_a_sibling_is_a_near_miss_for_it() -> None:
    thinking = _skill(
        "critical-thinking",
        "Evaluate scientific claims and evidence quality. For formal peer review writing use "
        "peer-review. Use citation-checks for verifying reference lists.",
    )
    review = _skill("peer-review", "Prepare constructive reviews of scientific manuscripts.")
    checks = _skill("citation-checks", "Check that every citation in a manuscript is real.")
    assert near_misses(thinking, [thinking, review, checks]) == [
        ("formal peer review writing", "peer-review"),
        ("verifying reference lists", "citation-checks"),
    ]
    lines = {r["query"]: r["expect"] for r in draft_evals([thinking, review, checks])}
    assert any("formal peer review writing" in q and e == "peer-review" for q, e in lines.items())


def test_a_quoted_fragment_and_a_heading_listing_sections_are_no_requests() -> None:
    grants = Skill(
        "research-grants",
        "Write competitive research proposals for funding agencies.",
        "## Review Criteria, Writing Principles, and Proposal Types\n\nRead them.\n\n"
        '- Point to instances (e.g., "Table 2 shows..." or "In the Methods section...")\n',
        Path("research-grants/SKILL.md"),
    )
    asked = _low(grants)
    assert not any("table 2" in q or "criteria" in q for q in asked), asked


def test_an_adjective_in_a_list_or_a_word_of_a_name_is_no_shared_thing() -> None:
    """ "Write a short poem about my comprehensive." and "... about my scholar." named no
    thing: an adjective ending a list of modifiers, a word only ever written inside a name."""
    texts = [
        "Conduct comprehensive, systematic reviews of each paper across scientific, and "
        "technical domains. Search Google Scholar for every paper.",
        "Write comprehensive, careful critiques of a paper in scientific, or clinical fields. "
        "Check Semantic Scholar for the paper.",
    ]
    assert shared_nouns(texts) == ["paper"]
