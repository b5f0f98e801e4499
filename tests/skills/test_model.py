"""Malformed SKILL.md files: each refused with its own one-line error, nothing written."""

from __future__ import annotations

from pathlib import Path

import pytest

from agentos.errors import UserError
from agentos.skill import load_skills, parse_skill, render_skill
from agentos.skillfile import MAX_FILE_BYTES, load_skill

GOOD = "---\nname: deploy\ndescription: Deploy a service.\n---\n\n# Deploy\n\nSteps.\n"


def write(root: Path, folder: str, data: bytes) -> Path:
    (root / folder).mkdir(parents=True)
    (root / folder / "SKILL.md").write_bytes(data)
    return root


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


CASES = [
    ("deploy", b"# no front matter\n", "has no YAML front matter"),
    ("deploy", b"---\nname: deploy\ndescription: x\n# never closed\n", "is not closed"),
    ("deploy", b"---\nname: [deploy\ndescription: x\n---\nbody\n", "not valid YAML"),
    (
        "deploy",
        b"---\na: &a [x, x]\nb: &b [*a, *a]\nc: &c [*b, *b]\nd: &d [*c, *c]\n"
        b"e: &e [*d, *d]\nf: [*e, *e]\nname: deploy\ndescription: x\n---\nbody\n",
        "alias",
    ),
    (
        "deploy",
        b"---\nname: deploy\ndescription: !!python/object/apply:os.system [ls]\n---\nb\n",
        "unsafe YAML tag",
    ),
    ("deploy", b"---\nname: shipit\ndescription: x\n---\nbody\n", "does not match its folder"),
    ("Deploy", b"---\nname: Deploy\ndescription: x\n---\nbody\n", "lowercase"),
    ("deploy", b"---\nname: deploy\n---\nbody\n", "non-empty `description`"),
    ("deploy", b"---\ndescription: x\n---\nbody\n", "lacks `name`"),
    ("deploy", b"---\nname: deploy\ndescription: x\n---\n\n  \n", "no instructions"),
    ("deploy", GOOD.replace("\n", "\r\n", 3).encode(), "mixes CRLF and LF"),
    ("deploy", GOOD.replace("\n", "\r").encode(), "has CR line endings"),
    ("deploy", GOOD.encode().replace(b"Steps", b"St\xffeps"), "not valid UTF-8"),
    (
        "deploy",
        b"---\nname: deploy\ndescription: x\n---\n" + b"y" * (MAX_FILE_BYTES + 1),
        "over the",
    ),
    (
        "deploy",
        b"---\nname: deploy\ndescription: x\ngates: [never skip CI]\n---\nbody\n",
        "does not appear in the body",
    ),
    ("deploy", b"---\n- a list\n---\nbody\n", "not a mapping"),
]


@pytest.mark.parametrize(("folder", "data", "message"), CASES)
def test_malformed_skill_is_refused_with_its_own_error(
    tmp_path: Path, folder: str, data: bytes, message: str
) -> None:
    root = write(tmp_path, folder, data)
    before = snapshot(root)
    with pytest.raises(UserError) as info:
        load_skills(root)
    text = str(info.value)
    assert message in text
    assert "SKILL.md" in text and "fix:" in text and "\n" not in text
    assert snapshot(root) == before


def test_name_too_long_is_refused(tmp_path: Path) -> None:
    name = "a" * 65
    root = write(tmp_path, name, f"---\nname: {name}\ndescription: x\n---\nbody\n".encode())
    with pytest.raises(UserError, match="over 64"):
        load_skills(root)


def test_good_skill_round_trips_through_components(tmp_path: Path) -> None:
    root = write(tmp_path, "deploy", GOOD.encode())
    (skill,) = load_skills(root)
    assert skill.components() == {
        "deploy/description": "Deploy a service.",
        "deploy/body": "\n# Deploy\n\nSteps.\n",
    }
    changed = skill.with_components({"deploy/description": "Ship it: deploy a service."})
    again = parse_skill(skill.path, render_skill(changed), folder="deploy")
    assert again.description == "Ship it: deploy a service."
    assert again.body == skill.body


def test_empty_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UserError, match=r"holds no NAME/SKILL\.md"):
        load_skills(tmp_path)


def test_crlf_endings_and_a_byte_order_mark_are_kept_when_the_description_changes(
    tmp_path: Path,
) -> None:
    text = GOOD.replace("---\n\n", "license: MIT\n---\n\n")
    data = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode()
    root = write(tmp_path, "deploy", data)
    skill = load_skill(root / "deploy")
    assert skill.description == "Deploy a service." and skill.body == "\n# Deploy\n\nSteps.\n"
    assert render_skill(skill).encode() == data
    new = skill.with_components({"deploy/description": "Deploy a service to staging."})
    assert render_skill(new).encode() == data.replace(b"a service.", b"a service to staging.")


def test_a_description_over_the_limit_loads_and_says_so() -> None:
    """An over-long description is no broken skill: it loads, `over_limit` says by how much
    (a folded block's closing line break not counted), and a rewrite under the limit may be
    kept for it."""
    from agentos.skillfile import over_limit

    for n, why in ((1024, None), (1030, "description is 1030 characters, over 1024")):
        text = f"---\nname: deploy\ndescription: >\n  {'x' * n}\n---\nbody\n"
        skill = parse_skill(Path("deploy/SKILL.md"), text, folder="deploy")
        assert skill.description == "x" * n + "\n"  # the folded block keeps its line break
        assert over_limit(skill.description) == why
