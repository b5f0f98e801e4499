"""The terms a skill's own body offers its description (`examples.own_terms`), and the quality
gate the offline proposer filters with reading the queries the evaluator reads."""

from __future__ import annotations

from pathlib import Path

from agentos.skill.evals import EvalItem
from agentos.skill.examples import example_edits, own_terms, split_examples, with_examples
from agentos.skill.operators import TextOperatorProposer
from agentos.skillfile import Skill

PRUNING_BODY = """# Prune a shrub or tree

1. Ask what plant it is and when it flowers: spring bloomers right after flowering.
2. Remove dead, damaged and crossing branches first; dead branches go on the heap.
3. Cut just above an outward-facing bud, at a slant.

<!-- gate -->
Never remove more than a third of the plant in one year.
<!-- /gate -->

```sh
secateurs --sharpen
```
"""


def garden(name: str, description: str, body: str = "Steps.\n") -> Skill:
    return Skill(name, description, body, Path(name) / "SKILL.md")


PRUNING = garden("pruning", "Prune roses in late winter.", PRUNING_BODY)
LAWN = garden(
    "lawn-care", "Mowing height and feeding a grass lawn.", "Mow the lawn; prune nothing.\n"
)


def test_own_terms_are_the_bodys_topic_words_the_description_lacks() -> None:
    assert len(own_terms(PRUNING, [PRUNING, LAWN])) == 8  # OWN_TERMS
    terms = own_terms(PRUNING, [PRUNING, LAWN], limit=50)
    assert "shrub" in terms and "flowering" in terms
    # words the body writes only together are a phrase, never halves
    assert "crossing branches" in terms and "crossing" not in terms and "branches" not in terms
    assert terms.index("plant") < terms.index("shrub")  # two lines use it, one line "shrub"
    assert terms.index("shrub") < terms.index("flowering")  # a heading's before a line's
    assert "prune" not in terms and "roses" not in terms  # the description has them
    assert "pruning" not in terms  # a word of the skill's name
    assert "secateurs" not in terms and "sharpen" not in terms  # code blocks are no topic
    assert "gate" not in terms  # nor comments
    assert not {"first", "just", "ask", "what"} & set(terms)  # filler, stop and weak words
    assert all(len(t.split()) <= 2 for t in terms)


def test_own_terms_leave_out_words_a_sibling_uses() -> None:
    lawn = garden("lawn-care", "Mowing and feeding a lawn, and a shrub beside it.")
    terms = own_terms(PRUNING, [PRUNING, lawn], limit=50)
    assert "shrub" not in terms  # the sibling's description says it: it would take its queries
    assert "flowering" in terms
    shared = garden("compost", "Keep a heap.", "Put dead leaves and a plant or two on it.\n")
    terms = own_terms(PRUNING, [PRUNING, shared], limit=50)
    assert "plant" not in terms  # the sibling's body uses it
    assert "shrub" in terms and "crossing branches" in terms


def test_body_terms_are_candidate_additions_of_the_proposer() -> None:
    edits = dict(example_edits(PRUNING.description, [], body_terms=["shrub", "branches"]))
    assert set(edits) == {"add 'shrub'", "add 'branches'"}
    assert split_examples(edits["add 'shrub'"])[1] == ["shrub"]


def item(query: str, *, generated: bool = False, source: str | None = None) -> EvalItem:
    return EvalItem(
        query,
        "pruning",
        "typo" if generated else "clean",
        "train",
        generated=generated,
        source=source,
    )


def test_the_proposers_gate_takes_the_skills_own_text_or_two_hand_written_train_queries() -> None:
    """A word is evidence for a listed term when the skill's own text uses it, or two
    hand-written train queries do: one query (its generated typo variant is no second one) is
    one person's wording, not a topic."""
    one = [
        item("when to trim the hedges"),
        item("when to trim the hegdes", generated=True, source="when to trim the hedges"),
    ]
    listing = PRUNING.description + " It also covers shrubs and hedges."
    proposer = TextOperatorProposer(one, router=None, target="pruning")  # type: ignore[arg-type]
    assert not proposer.gate(PRUNING)(listing)
    two = TextOperatorProposer(
        [*one, item("hedges along the road")],
        router=None,
        target="pruning",  # type: ignore[arg-type]
    )
    assert two.gate(PRUNING)(listing)
    hedges = garden("pruning", PRUNING.description, PRUNING_BODY + "Trim hedges in June.\n")
    assert proposer.gate(hedges)(listing)


def test_a_full_added_terms_sentence_offers_a_term_in_place_of_a_kept_one() -> None:
    """With `MAX_EXAMPLES` terms kept, a new term replaces one of them: a full sentence no
    longer ends a skill's tuning while it misses train queries."""
    full = with_examples(PRUNING.description, ["shrub", "branches", "hedges", "secateurs"])
    assert full is not None
    edits = dict(example_edits(full, [], body_terms=["crossing branches", "loppers"]))
    swaps = [step for step in edits if step.startswith("replace ")]
    assert "replace 'shrub' with 'loppers'" in swaps and len(swaps) == 8
    terms = split_examples(edits["replace 'shrub' with 'loppers'"])[1]
    assert terms == ["branches", "hedges", "secateurs", "loppers"]
    assert not any(step.startswith("add ") for step in edits)  # no fifth term
