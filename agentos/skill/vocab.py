"""Shared vocabulary: common software shorthand, synonyms and stopwords.

The eval generator uses `SHORTHAND` to write shorthand variants of train queries; the offline text
operators use it the other way round to add the short and long forms a description lacks. It is a
general table of how engineers abbreviate, not a list fitted to any eval set.
"""

from __future__ import annotations

import re

SHORTHAND: dict[str, str] = {
    "application": "app",
    "applications": "apps",
    "authentication": "auth",
    "authorization": "authz",
    "branch": "br",
    "commit": "cmt",
    "configuration": "config",
    "continuous integration": "ci",
    "database": "db",
    "databases": "dbs",
    "dependencies": "deps",
    "dependency": "dep",
    "deployment": "deploy",
    "development": "dev",
    "directory": "dir",
    "documentation": "docs",
    "environment": "env",
    "environments": "envs",
    "function": "fn",
    "information": "info",
    "kubernetes": "k8s",
    "message": "msg",
    "messages": "msgs",
    "migration": "migr",
    "performance": "perf",
    "please": "pls",
    "production": "prod",
    "pull request": "pr",
    "pull requests": "prs",
    "repository": "repo",
    "request": "req",
    "review": "rev",
    "staging": "stg",
    "release": "rel",
    "temporary": "tmp",
    "vulnerability": "vuln",
    "vulnerabilities": "vulns",
    "with": "w/",
    "without": "w/o",
    "because": "bc",
    "something": "smth",
    "about": "abt",
    "you": "u",
    "are": "r",
    "to": "2",
    "for": "4",
}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "deploy": ("ship", "release", "roll out", "push live"),
    "fix": ("repair", "debug", "patch"),
    "bug": ("issue", "defect", "error"),
    "error": ("exception", "crash", "failure"),
    "test": ("spec", "check"),
    "slow": ("latency", "sluggish", "perf"),
    "update": ("upgrade", "bump"),
    "remove": ("delete", "drop"),
    "review": ("look over", "check", "critique"),
    "write": ("draft", "create", "add"),
    "logs": ("log lines", "output"),
    "revert": ("undo", "roll back"),
    "secret": ("credential", "token", "api key", "password"),
    "failing": ("broken", "red", "flaky"),
}

_STOP = """a an the and or of to in on for with without from by at as is are be been was were it its
    this that these those my our your their me we you i can could would should will shall do does
    did please pls help want need how what why when where which who some any all me us just
    get got make made let lets let's into up out over about so if then than also there here too
    he him his she her hers they them theirs mine yours ours
    very really u r 2 4 hey hi ok okay thanks thx need needs something smth stuff thing things
    more most less under above below again still not no won't wont don't dont doesn't isn't can't
    cannot one two three four five six seven eight nine ten every each other same much many"""
STOPWORDS = frozenset(_STOP.split())

# words too vague to name what a skill is for: never an added term of a description
_FILLER = """able actual basic best better big bunch case cases change changes common
    complete correct detail details different easy example examples first full general good great
    hard important issue issues item items kind kinds large last little long lot lots main new next
    normal old part parts pattern patterns piece pieces place point points possible problem
    problems project projects proper quick real related right save saving section sections set
    short simple small specific step steps sure thing things time times type types use used using
    various way ways whole work works writing wrong question questions query queries
    modification modifications quality qualities stuff side sides"""
FILLER = frozenset(_FILLER.split())
# commands a shell line starts with: a body's `cd frontend` is no topic of the skill
_SHELL = """cd ls rm cp mv mkdir rmdir grep sed awk sudo chmod chown wget pwd npx xargs unzip
    """  # never English words: `cat`, `echo`, `touch` or `source` may name a topic
SHELL = frozenset(_SHELL.split())

WORD = re.compile(r"[a-z0-9][a-z0-9+#./'-]*")


def words(text: str) -> list[str]:
    """Lowercase word tokens, trailing punctuation removed."""
    return [w.strip(".'/-") for w in WORD.findall(text.lower()) if w.strip(".'/-")]


def content_words(text: str) -> list[str]:
    return [w for w in words(text) if w not in STOPWORDS and len(w) > 1]


LONG_FORMS: dict[str, str] = {v: k for k, v in SHORTHAND.items() if v not in STOPWORDS and v != k}
