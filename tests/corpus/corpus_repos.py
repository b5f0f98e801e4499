"""The corpus: six small real open-source packages, pinned, and what each one tests.

Each repository gets a protected micro-benchmark, `benchmark.py`, written at test time: it runs a
fixed workload of the library, checks a digest of the outputs (wrong outputs exit 1), and prints
`score: N`, the number of workload runs per 100 000 Python function calls (higher is better). The
count is deterministic, so any change to the code the workload calls moves the score, and no
change to code it never runs can.

Each also gets scripted candidates: `change` edits a library function the workload calls (its
expected status, `keep` or `discard`, follows from the count); `unread` edits an editable file the
workload never reads, which must end `invalid` (the run changed nothing it read).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from corpus_fetch import Pin


@dataclass(frozen=True)
class Edit:
    path: str
    search: str
    replace: str


@dataclass(frozen=True)
class CorpusRepo:
    pin: Pin
    why: str
    module: str  # what the benchmark imports
    workload: str  # the body of `def workload():`, indented four spaces
    digest: str  # sha256 of repr(workload()), first 16 hex digits
    change: Edit  # edits a function the workload calls
    expect: str  # the status `change` must end with: keep or discard
    unread: Edit | None  # edits an editable file the workload never reads (None: it reads all)
    env: tuple[Pin, ...] = field(default_factory=tuple)  # wheels for the repository's own .venv
    tests: str | None = None  # the folder or file holding its tests (None: it ships none)


# The repository's own environment for python-slugify: its runtime dependency, which agentos'
# environment does not have, and pytest to run its tests.
_SLUGIFY_ENV = (
    Pin("text-unidecode", "1.3",
        "1311f10e8b895935241623731c2ba64f4c455287888b18189350b67134a822e8",
        "text_unidecode-1.3-py2.py3-none-any.whl", "wheel"),
    Pin("pytest", "9.2.0", "07acdcf88ec174f907dc01af70bf52d49b014bbab03faeeade31c96b18c2e588",
        "pytest-9.2.0-py3-none-any.whl", "wheel"),
    Pin("pluggy", "1.7.0", "7dd7b0d8832ba3cb632c306926ded123429211b83641b35dc5c41ad2d34f9bec",
        "pluggy-1.7.0-py3-none-any.whl", "wheel"),
    Pin("iniconfig", "2.3.1", "9121e2c1fdb355232495be3194c8dfe87ccc2d5dee45947b78e68f499790d7a7",
        "iniconfig-2.3.1-py3-none-any.whl", "wheel"),
    Pin("packaging", "26.4", "81383611a09c1bc0b08b76e0fd5829d7c6824c65b27a6aee339da133f4233ea2",
        "packaging-26.4-py3-none-any.whl", "wheel"),
    Pin("pygments", "2.21.0", "2363c69b61c4a97c838da3b130dcd6468f4848992b21a82f2a63ec34377137d9",
        "pygments-2.21.0-py3-none-any.whl", "wheel"),
)

# LRUCache.popitem up to the value it reads (other caches' popitem read it the same way).
_LRU_POP = (
    'pair least recently used."""\n'
    "        try:\n"
    "            key = next(iter(self.__order))\n"
    "        except StopIteration:\n"
    '            raise KeyError("%s is empty" % type(self).__name__) from None\n'
    "        else:\n"
    "            value = "
)

REPOS: dict[str, CorpusRepo] = {
    "iniconfig": CorpusRepo(
        Pin("iniconfig", "2.3.1",
            "67f4b9c50da0dedf52af349e7749a80a9057a5031199791b906c3bb3ae878960",
            "iniconfig-2.3.1.tar.gz"),
        why="src layout; ruff and strict mypy configured in pyproject; tests in testing/ with a "
        "conftest.py; installed in agentos' own environment (pytest depends on it), so an "
        "installed copy can shadow the candidate; its tests need `pythonpath = src`; the "
        "workload reads every tracked module",
        module="iniconfig",
        workload='''\
    text = "".join(
        f"[section{i}]\\n# comment {i}\\nname = value{i}\\nother: {i}\\n  more {i}\\n\\n"
        for i in range(40)
    )
    cfg = iniconfig.IniConfig("bench.ini", data=text)
    return [(s.name, s.get("name"), s.get("other"), s.lineof("name")) for s in cfg]
''',
        digest="e3626d69dc0529c3",
        change=Edit("src/iniconfig/_parse.py",
                    "    if iscommentline(line):\n        line = \"\"\n",
                    "    if line.lstrip()[:1] in COMMENTCHARS:\n        line = \"\"\n"),
        expect="keep",
        unread=None,  # its one unread module, _version.py, is git-ignored (generated)
        tests="testing",
    ),
    "cachetools": CorpusRepo(
        Pin("cachetools", "8.0.3",
            "79245d0d90464e29355f13658cd769e57d98ed06242d3c6fbd71796ca0938ef9",
            "cachetools-8.0.3.tar.gz"),
        why="src layout; setup.cfg beside a pyproject that configures ruff only; typed through "
        ".pyi stubs beside the modules; not installed anywhere, so its tests need "
        "`pythonpath = src`",
        module="cachetools",
        workload='''\
    cache = cachetools.LRUCache(maxsize=16)
    out = []
    for i in range(400):
        key = (i * 7) % 37
        if key in cache:
            out.append(cache[key])
        else:
            cache[key] = key * key
    fib_cache = cachetools.LFUCache(maxsize=128)

    @cachetools.cached(fib_cache)
    def fib(n):
        return n if n < 2 else fib(n - 1) + fib(n - 2)

    out.append(fib(60))
    out.append(sorted(cache.items()))
    return out
''',
        digest="041366f8e6cf0279",
        change=Edit("src/cachetools/__init__.py",
                    _LRU_POP + "Cache.__getitem__(self, key)\n",
                    _LRU_POP + "self._Cache__data[key]\n"),
        expect="keep",
        unread=Edit("src/cachetools/func.py",
                    '"""`functools.lru_cache` compatible memoizing function decorators."""',
                    '"""Memoizing function decorators compatible with `functools.lru_cache`."""'),
        tests="tests",
    ),
    "jsonpatch": CorpusRepo(
        Pin("jsonpatch", "1.48",
            "81e9a03754137a1201d9b534ddd599cc0eb5983fe941bce238dc8a76e442bb94",
            "jsonpatch-1.48.tar.gz"),
        why="flat layout, one module plus a CLI module; a runtime dependency of its own "
        "(jsonpointer, present in agentos' environment); lint debt: strict mypy configured with "
        "about 300 errors in jsonpatch.py, about 90 ruff findings; a pytest.ini whose "
        "python_files names tests.py and property_tests.py, which needs hypothesis (absent)",
        module="jsonpatch",
        workload='''\
    out = []
    for i in range(20):
        src = {"a": list(range(i)), "b": {"c": i, "d": "x" * i},
               "e": [{"f": j} for j in range(3)]}
        dst = {"a": list(range(i, 0, -1)), "b": {"c": i + 1},
               "e": [{"f": j * 2} for j in range(4)], "g": i}
        patch = jsonpatch.make_patch(src, dst)
        out.append(jsonpatch.apply_patch(src, patch) == dst)
        out.append(len(list(patch)))
    return out
''',
        digest="c2e3a7ed61fd29b6",
        change=Edit("jsonpatch.py",
                    "        copied.extend(_json_copy(item, memo) for item in value)\n",
                    "        copied.extend([_json_copy(item, memo) for item in value])\n"),
        expect="keep",
        unread=Edit("jsonpatch_cli.py", "description='Diff two JSON files'",
                    "description='Diff two JSON documents'"),
        tests="tests.py",
    ),
    "toml": CorpusRepo(
        Pin("toml", "0.10.2", "b3bda1d108d5dd99f4a20d24d9c348e91c4db7ab1b749200bded2f839ccbe68f",
            "toml-0.10.2.tar.gz"),
        why="flat package; setup.py and setup.cfg, no pyproject.toml and no tool configuration; "
        "lint debt under ruff's defaults and mypy (its .pyi stubs have errors); two tests fail "
        "at baseline (they need the toml-test data, not shipped)",
        module="toml",
        workload='''\
    doc = {"title": "bench", "owner": {"name": "x", "n": 3},
           "servers": {f"s{i}": {"ip": f"10.0.0.{i}", "ports": [i, i + 1], "on": i % 2 == 0,
                                 "w": i / 4} for i in range(15)}}
    text = toml.dumps(doc)
    back = toml.loads(text)
    return [back == doc, len(text), sorted(back["servers"])]
''',
        digest="c3fdab93e5bb107f",
        change=Edit("toml/decoder.py",
                    "        decoder.embed_comments(idx, currentlevel)\n",
                    "        if type(decoder).embed_comments is not TomlDecoder.embed_comments:\n"
                    "            decoder.embed_comments(idx, currentlevel)\n"),
        expect="keep",
        unread=Edit("toml/ordered.py", "class TomlOrderedDecoder(TomlDecoder):\n",
                    "class TomlOrderedDecoder(TomlDecoder):\n"
                    '    """Decodes into OrderedDict tables."""\n'),
        tests="tests",
    ),
    "python-slugify": CorpusRepo(
        Pin("python-slugify", "9.2.0",
            "cee32948083476013804de1667724fb1362dacb71e47b1d5d92adf8db6ee3298",
            "python_slugify-9.2.0.tar.gz"),
        why="flat package whose runtime dependency (text-unidecode) agentos' environment lacks: "
        "it lives in the repository's own .venv, made with another CPython when one is on PATH; "
        "pyproject with mypy configured; pytest filterwarnings = error",
        module="slugify",
        workload='''\
    words = ["Héllo Wörld", "C'est déjà l'été", "Ærøskøbing ñandú", "10 | 20 % off!!",
             "Ünïcödé  -- text"]
    return [slugify.slugify(f"{w} {i}", max_length=30, word_boundary=True)
            for i in range(20) for w in words]
''',
        digest="6a3dda4a93cef48e",
        # Every entity pattern starts with "&": without one there is nothing to decode.
        change=Edit("slugify/_legacy.py",
                    "    text = _decode_entities(text, entities, decimal, hexadecimal)\n",
                    "    if '&' in text:\n"
                    "        text = _decode_entities(text, entities, decimal, hexadecimal)\n"),
        expect="keep",
        unread=Edit("slugify/__main__.py", 'description="Slug string"',
                    'description="Make a slug of a string"'),
        env=_SLUGIFY_ENV,
        tests="tests",
    ),
    "mdurl": CorpusRepo(
        Pin("mdurl", "0.1.2", "bb413d29f5eea38f31dd4754dd7377d4465116fb207585f97bf925588687c1ba",
            "mdurl-0.1.2.tar.gz"),
        why="src layout built with flit; mypy and isort configured; no tests shipped; installed "
        "in agentos' own environment (markdown-it-py depends on it); the workload imports every "
        "module of the package, so its run has no unread-file candidate",
        module="mdurl",
        workload='''\
    out = []
    for i in range(30):
        url = f"https://user:pw@例え.jp:80{i % 10}/pa th/{i}?q=ä&x={i}#frag {i}"
        out.append(mdurl.format(mdurl.parse(url)))
        out.append(mdurl.decode(mdurl.encode(url)))
    return out
''',
        digest="930bb6e2ddf26817",
        change=Edit("src/mdurl/_decode.py",
                    "    cache = get_decode_cache(exclude)\n    repl_func",
                    "    cache = decode_cache.get(exclude) or get_decode_cache(exclude)\n"
                    "    repl_func"),
        expect="keep",
        unread=None,
    ),
}


BENCHMARK = '''\
"""Micro-benchmark of {name} for agentos: workload runs per 100 000 Python calls (higher is better).

Protected: a candidate may not change this file. Wrong outputs exit 1.
"""

import hashlib
import sys

import {module}


def workload():
{workload}

workload()  # warm caches (compiled patterns, lazy imports): count the steady state
calls = 0


def count(frame, event, arg):
    global calls
    if event == "call":
        calls += 1


sys.setprofile(count)
outputs = workload()
sys.setprofile(None)
digest = hashlib.sha256(repr(outputs).encode()).hexdigest()[:16]
if digest != "{digest}":
    sys.exit(f"wrong outputs: digest {{digest}}")
print(f"score: {{100000 / calls:.4f}}")
'''


def benchmark(repo: CorpusRepo) -> str:
    return BENCHMARK.format(name=repo.pin.name, module=repo.module, workload=repo.workload,
                            digest=repo.digest)
