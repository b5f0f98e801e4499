"""The skill model: a validated `NAME/SKILL.md` in the Agent Skills format.

A skill file is YAML front matter between two `---` lines (`name`, `description`, optional keys such
as `gates`), then a non-empty Markdown body. Every way a file can be wrong ends in one
`agentos.errors.UserError` naming the file and the fix; loading never writes anything.

A skill's editable text is exposed as named components (`NAME/description`, `NAME/body`), the shape
every agentos proposer works with; `render_skill` turns components back into file text.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import yaml

from agentos.errors import UserError
from agentos.frontmatter import edit_description

SKILL_FILE = "SKILL.md"
MAX_FILE_BYTES = 256 * 1024
MAX_FRONT_MATTER_BYTES = 16 * 1024
MAX_YAML_ALIASES = 8
MAX_YAML_NODES = 2000
MAX_NAME = 64
MAX_DESCRIPTION = 1024
NAME_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
_PYTHON_TAG = "tag:yaml.org,2002:python/"
_STANDARD_TAG = "tag:yaml.org,2002:"


@dataclass(frozen=True)
class Skill:
    """One parsed skill. `front` is the whole front matter (description included), kept so a
    rewrite preserves every key it does not touch."""

    name: str
    description: str
    body: str
    path: Path
    front: Mapping[str, Any] = field(default_factory=dict)
    declared_gates: tuple[str, ...] = ()
    source: str = ""  # the front matter as written, so a rewrite changes only the description
    crlf: bool = False  # the file's lines end in CRLF: parsed as LF, written back as CRLF
    bom: bool = False  # the file starts with a UTF-8 byte-order mark, written back as it was

    def components(self) -> dict[str, str]:
        """The editable text of this skill, named `NAME/description` and `NAME/body`."""
        return {f"{self.name}/description": self.description, f"{self.name}/body": self.body}

    def with_components(self, components: Mapping[str, str]) -> Skill:
        """A copy with this skill's components taken from `components` where present."""
        description = components.get(f"{self.name}/description", self.description)
        body = components.get(f"{self.name}/body", self.body)
        front = dict(self.front)
        front["description"] = description
        return replace(self, description=description, body=body, front=front)


def _fail(path: Path, message: str, fix: str) -> UserError:
    return UserError(message, path=path, fix=fix)


def _read_text(path: Path) -> str:
    """Read a SKILL.md as strict UTF-8, refusing what agentos will not rewrite."""
    if path.is_symlink():
        raise _fail(path, "is a symbolic link", "replace it with a regular file")
    if not path.is_file():
        raise _fail(path, "is missing", f"add a {SKILL_FILE} with front matter and a body")
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise _fail(
            path,
            f"is {size} bytes, over the {MAX_FILE_BYTES}-byte limit for a skill",
            "move reference material into separate files next to SKILL.md",
        )
    with path.open("rb") as fh:
        data = fh.read(MAX_FILE_BYTES + 1)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _fail(
            path, f"is not valid UTF-8 (byte {exc.start})", "re-encode the file as UTF-8"
        ) from exc
    if "\x00" in text:
        raise _fail(path, "contains a NUL byte", "remove the binary content")
    return text


def _split(path: Path, text: str) -> tuple[str, str]:
    """Split file text into front-matter text and body."""
    if not text.startswith("---\n"):
        raise _fail(path, "has no YAML front matter", "start the file with a `---` line")
    end = text.find("\n---\n", 3)
    if end == -1:
        if text.endswith("\n---"):
            end = len(text) - 4
        else:
            raise _fail(
                path, "front matter is not closed", "add a `---` line after the front matter"
            )
    front = text[4 : end + 1]
    body = text[end + 5 :]
    if len(front.encode("utf-8")) > MAX_FRONT_MATTER_BYTES:
        raise _fail(
            path,
            f"front matter is over {MAX_FRONT_MATTER_BYTES} bytes",
            "keep only name, description and short keys in the front matter",
        )
    return front, body


def _check_events(path: Path, front: str) -> None:
    """Refuse alias bombs and Python tags before anything is constructed."""
    aliases = nodes = 0
    try:
        for event in yaml.parse(front, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent):
                aliases += 1
            if isinstance(event, yaml.NodeEvent):
                nodes += 1
                tag = getattr(event, "tag", None)
                if tag and tag.startswith(_PYTHON_TAG):
                    raise _fail(
                        path,
                        f"front matter uses the unsafe YAML tag {tag!r}",
                        "use plain strings, lists and mappings only",
                    )
                if tag and tag.startswith("!") and tag != "!":
                    raise _fail(
                        path, f"front matter uses the custom YAML tag {tag!r}", "remove the tag"
                    )
            if aliases > MAX_YAML_ALIASES or nodes > MAX_YAML_NODES:
                raise _fail(
                    path,
                    "front matter has too many YAML aliases or nodes (alias bomb?)",
                    "write the values out without anchors and aliases",
                )
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        where = f" at line {line + 2}" if isinstance(line, int) else ""
        fix = "correct the YAML syntax"
        if "mapping values are not allowed" in str(getattr(exc, "problem", "")):
            # `description: Compost at home: balance greens` -- the usual cause in a SKILL.md
            fix = 'a value holding ": " must be quoted: description: "..." (or use a > block)'
        raise _fail(path, f"front matter is not valid YAML{where}", fix) from exc


def parse_skill(path: Path, text: str, *, folder: str | None = None) -> Skill:
    """Validate the text of a SKILL.md; `folder` is the directory name the `name` must match. A
    byte-order mark and CRLF line endings are read past and kept for `render_skill`."""
    bom = text.startswith("\ufeff")
    text = text.removeprefix("\ufeff")
    crlf = "\r\n" in text
    if crlf and text.count("\r\n") != text.count("\n"):
        raise _fail(path, "mixes CRLF and LF line endings", "convert the line endings to one kind")
    text = text.replace("\r\n", "\n")
    if "\r" in text:
        raise _fail(path, "has CR line endings", "convert the line endings to LF")
    front_text, body = _split(path, text)
    _check_events(path, front_text)
    try:
        data = yaml.safe_load(front_text)
    except yaml.YAMLError as exc:
        raise _fail(path, "front matter is not valid YAML", "correct the YAML syntax") from exc
    if not isinstance(data, dict):
        raise _fail(
            path, "front matter is not a mapping", "write `name: ...` and `description: ...`"
        )
    name = data.get("name")
    if not isinstance(name, str) or not name:
        raise _fail(path, "front matter lacks `name`", "add `name: my-skill` (the folder's name)")
    if len(name) > MAX_NAME:
        raise _fail(path, f"name is {len(name)} characters, over {MAX_NAME}", "shorten the name")
    if _TITLE.fullmatch(name) and folder is not None and _slug(name) == folder:
        name = folder  # "Agent Development" in agent-development/: known by its folder's name
    if not NAME_RE.match(name):
        raise _fail(
            path,
            f"name {name!r} is not lowercase letters, digits and single hyphens",
            "rename it, e.g. `deploy-service`",
        )
    if folder is not None and name != folder:
        raise _fail(
            path, f"name {name!r} does not match its folder {folder!r}", "rename one to match"
        )
    description = data.get("description")
    if not isinstance(description, str) or not description.strip():
        raise _fail(
            path,
            "front matter lacks a non-empty `description`",
            "add `description: what it does and when to use it`",
        )
    if not body.strip():
        raise _fail(path, "has no instructions after the front matter", "add the skill's body")
    gates = data.get("gates", [])
    if not isinstance(gates, list) or not all(isinstance(g, str) and g.strip() for g in gates):
        raise _fail(
            path,
            "`gates` must be a list of non-empty strings",
            "list phrases from the body that must never change",
        )
    for gate in gates:
        if _norm(gate) not in _norm(body):
            raise _fail(
                path,
                f"declared gate {gate!r} does not appear in the body",
                "quote the gate exactly as the body says it",
            )
    return Skill(name, description, body, path, dict(data), tuple(gates), front_text, crlf, bom)


# a name written as a title, words and spaces ("Agent Development", "MCP Integration")
_TITLE = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]*(?: [A-Za-z0-9-]+)+")


def _slug(name: str) -> str:
    """`name` as a skill id: lowercase, each run of other characters one hyphen."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def titled(skill: Skill) -> str | None:
    """The name `skill`'s front matter gives when it is no skill id ("Agent Development" of
    `agent-development`, as some plugins write it), or None; the skill is known by its folder's
    name, and its file keeps its own."""
    said = skill.front.get("name")
    return said if isinstance(said, str) and said != skill.name else None


def over_limit(description: str) -> str | None:
    """Why `description` is longer than an agent reads (`MAX_DESCRIPTION`), or None. A folded
    or literal block's closing line break is not counted. Such a skill still loads: a rewrite
    that brings it under the limit is one the tuner may keep (`agentos.skill.quality`)."""
    n = len(description.strip())
    return f"description is {n} characters, over {MAX_DESCRIPTION}" if n > MAX_DESCRIPTION else None


def _norm(text: str) -> str:
    return " ".join(text.split())


def load_skill(directory: Path) -> Skill:
    """Load and validate `directory/SKILL.md`."""
    path = directory / SKILL_FILE
    return parse_skill(path, _read_text(path), folder=directory.name)


def load_skills(root: Path | str) -> list[Skill]:
    """Load every `NAME/SKILL.md` under `root`, sorted by name; the first bad one raises."""
    skills, problems = load_folder(root)
    if problems:
        raise next(iter(problems.values()))
    return skills


def load_folder(root: Path | str) -> tuple[list[Skill], dict[str, UserError]]:
    """Every valid `NAME/SKILL.md` under `root`, sorted by name, and the error of each invalid
    one by its folder's name (a folder as people keep it may hold one broken skill; the rest can
    still be tuned), and of each category folder that holds skills one level down (reported,
    not loaded: a skill is `NAME/SKILL.md` directly under the folder). A folder without any
    skill file raises."""
    root = Path(root)
    if not root.is_dir():
        fix = "pass a folder of NAME/SKILL.md"
        if root.name == SKILL_FILE and root.is_file():  # the skill file itself
            fix = f"pass the folder that holds its skill folder: {root.resolve().parent.parent}"
        raise UserError("is not a folder of skills", path=root, fix=fix)
    folders = [d for d in sorted(root.iterdir()) if (d / SKILL_FILE).exists()]
    if not folders:
        fix = "pass a folder of skill folders"
        if (root / SKILL_FILE).exists():
            fix = f"pass the folder that holds it: {root.resolve().parent}"
        elif below := _skill_sets_below(root):
            more = f" (and {len(below) - 3} more folders of skills)" if len(below) > 3 else ""
            fix = f"pass the folder that holds the skills: {' or '.join(map(str, below[:3]))}{more}"
        raise UserError("holds no NAME/SKILL.md", path=root, fix=fix)
    skills, problems = [], {}
    for folder in folders:
        try:
            skills.append(load_skill(folder))
        except UserError as exc:
            problems[folder.name] = exc
    for holder in _skill_folders_below(root):  # a category folder: its skills are not loaded
        if (holder / SKILL_FILE).exists():
            continue
        inner = [d.name for d in sorted(holder.iterdir()) if (d / SKILL_FILE).is_file()]
        problems[holder.name] = UserError(
            f"holds no {SKILL_FILE} but skill folders one level down ({', '.join(inner)}), "
            "which are not tuned with this folder",
            path=holder,
            fix=f"tune them on their own: agentos tune-skills {holder}",
        )
    return skills, problems


def _skill_folders_below(root: Path) -> list[Path]:
    """The subfolders of `root` that hold `NAME/SKILL.md` folders: the folder a user meant when
    they passed the one above it (`sp` for `sp/superpowers`)."""
    return [
        d.resolve()
        for d in _subfolders(root)
        if any((e / SKILL_FILE).is_file() for e in _subfolders(d))
    ]


def _subfolders(folder: Path) -> list[Path]:
    """The visible subfolders of `folder`, sorted; none where it cannot be read."""
    try:
        return [d for d in sorted(folder.iterdir()) if d.is_dir() and not d.name.startswith(".")]
    except OSError:
        return []


def _skill_sets_below(root: Path, depth: int = 3) -> list[Path]:
    """The folders up to `depth` levels below `root` that hold `NAME/SKILL.md` folders, largest
    first: what a user meant when they passed a checkout (`plugins` for
    `plugins/*/skills/*/SKILL.md`). The search does not enter a folder of skills nor a hidden
    one."""
    found: list[Path] = []
    level = [root]
    for _ in range(depth):
        sets = [s for d in level for s in _skill_folders_below(d)]
        found += sets
        level = [
            d
            for parent in level
            for d in _subfolders(parent)
            if d.resolve() not in sets and not (d / SKILL_FILE).exists()
        ]
    return sorted(found, key=lambda d: -sum((e / SKILL_FILE).is_file() for e in _subfolders(d)))


def render_skill(skill: Skill) -> str:
    """The SKILL.md text of `skill`: its front matter as written with only the description's
    value replaced (same scalar style, the rest byte for byte), then the body. A front matter
    that cannot be edited in place (other keys changed, or no source) is re-emitted whole with
    `yaml.safe_dump` (comments are then lost). CRLF endings and a byte-order mark the file had
    are written back."""
    front = dict(skill.front)
    front.setdefault("name", skill.name)  # a titled name ("Agent Development") is kept
    front["description"] = skill.description
    edited = edit_description(skill.source, skill.description, front) if skill.source else None
    if edited is None:
        edited = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=100)
    text = f"---\n{edited}---\n{skill.body}"
    if skill.crlf:
        text = text.replace("\n", "\r\n")
    return "\ufeff" + text if skill.bom else text


def changed_names(now: Sequence[Skill], before: Sequence[Skill]) -> list[str]:
    """The names of the skills of `now` whose description or body differ from `before`'s."""
    return [
        s.name
        for s, o in zip(now, before, strict=True)
        if (s.description, s.body) != (o.description, o.body)
    ]


def load_tunable(root: Path) -> tuple[list[Skill], dict[str, UserError], list[str]]:
    """The folder's valid skills, the error of each invalid one, and the notes a tune-skills run
    starts with: each skipped skill, each description over the limit (tuned with the rest: only a
    rewrite under the limit can be kept for it) and the titled front matter names."""
    skills, problems = load_folder(root)
    notes = [f"skipped {name}: {exc}" for name, exc in sorted(problems.items())]
    if not skills:
        raise _no_valid_skill(root, problems)
    notes += [
        f"warning: {s.name}: {why}: it is tuned with the rest, and only a rewrite under the "
        "limit can be kept for it"
        for s in skills
        if (why := over_limit(s.description))
    ]
    if titles := [f"{title!r} as {s.name}" for s in skills if (title := titled(s))]:
        notes.append(
            f"{len(titles)} front matter names are titles, no skill ids; each skill is known by "
            f"its folder's name, which eval lines expect: {', '.join(titles)}"
        )
    return skills, problems, notes


def _no_valid_skill(root: Path, problems: dict[str, UserError]) -> UserError:
    """The error for a folder none of whose skills loads: the first skill's own error and fix."""
    name, first = sorted(problems.items())[0]
    more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
    cause = str(first).removesuffix(f"; fix: {first.fix}") if first.fix else str(first)
    return UserError(f"holds no valid skill{more}: {name}: {cause}", path=root, fix=first.fix)
