"""circlebot's model: a collaborative part chosen on validation data, blended with content and popularity.

`tune` carves a validation split out of the training events (the same per-user hold-out as
the evaluation), fits every collaborative candidate there and keeps the best by NDCG@k;
then it picks the weights of the content and popularity parts the same way. `Hybrid` is
the eval-recs face of it; the bot fits communities through `fit_blend` with its own events.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import scipy.sparse as sp

from bot.recommend.collab import CollabParams, gram, user_weights
from bot.recommend.protocol import Interactions, score_ranking, split

log = logging.getLogger(__name__)

# λ is in units of the mean diagonal of the (weighted) Gram matrix, so one grid fits any size.
FULL_GRID: tuple[CollabParams, ...] = (
    *(CollabParams("ease", lam) for lam in (2.0, 5.0, 10.0, 20.0)),
    *(CollabParams("knn", neighbours=n) for n in (50, 100, 200)),
    *(CollabParams("dlae", lam, p, a) for a in (0.0, 0.25, 0.5) for lam in (2.0, 4.0, 8.0) for p in (0.25, 0.5)),
)
# Big communities (thousands of items) try fewer inversions so the nightly fit stays within a minute.
SMALL_GRID: tuple[CollabParams, ...] = (
    CollabParams("ease", 10.0), CollabParams("knn", neighbours=100), CollabParams("dlae", 8.0, 0.5, 0.25),
)
RATING_GAINS = (0.0, 0.15, 0.3)  # event weight 1 + gain·(rating - 3)/2
CONTENT_WEIGHTS = (0.0, 0.1, 0.3, 1.0)
POPULARITY_WEIGHTS = (0.0, 0.05, 0.15, 0.4)
COLD_CONTENT_WEIGHTS = (0.0, 0.3, 1.0, 3.0)
VALIDATION_USERS = 2000  # validation users scored per candidate (a sample in big communities)


@dataclass(frozen=True)
class Blend:
    """What tuning chose: the collaborative candidate and the weights of the other parts."""

    collab: CollabParams
    rating_gain: float = 0.0
    content: float = 0.0
    popularity: float = 0.0
    cold_content: float = 1.0  # content vs popularity for members with interest tags but no signals
    validation_ndcg: float = 0.0
    tried: tuple[tuple[str, float], ...] = field(default=(), compare=False)


@dataclass
class Parts:
    """A fitted blend: B for the collaborative part, item vectors for content, popularity."""

    x: sp.csr_matrix  # users × items event weights (float32, like B: products stay float32)
    b: np.ndarray  # items × items
    popularity: np.ndarray  # standardised
    items: sp.csr_matrix | None  # items × features, rows L2-normalised (None: no content)
    profiles: sp.csr_matrix | None  # users × tags weights of their interest and Q&A tags, or None
    blend: Blend
    similar: np.ndarray | None = None  # items × items content cosine (items · itemsᵀ), computed once
    tag_items: np.ndarray | None = None  # tags × items cosine of each profile tag with each item

    def collab(self, users: np.ndarray, dtype: type = np.float64) -> np.ndarray:
        return np.asarray(self.x[users] @ self.b, dtype=dtype)

    def content(self, users: np.ndarray, dtype: type = np.float64) -> np.ndarray:
        """Cosine of each user's profile (their items' vectors plus their tags) with every item."""
        if self.items is None:
            return np.zeros((len(users), self.b.shape[0]), dtype=dtype)
        if self.similar is None:
            self.similar = content_similarity(self.items)
        scores = np.asarray(self.x[users] @ self.similar, dtype=dtype)
        if self.profiles is not None:
            scores += self.profiles[users] @ self.tag_items
        return scores

    def scores(self, users: np.ndarray) -> np.ndarray:
        """The blended score: standardised collaborative + w·content + w·popularity."""
        return combine(self.collab(users), self.content(users), self.popularity, self.blend)


def content_similarity(items: sp.csr_matrix) -> np.ndarray:
    """The items × items cosine of L2-normalised item vectors, dense."""
    return gram(items.T, dtype=np.float32)


def combine(collab: np.ndarray, content: np.ndarray, popularity: np.ndarray, blend: Blend) -> np.ndarray:
    """Standardise each part per user and add them with the blend's weights."""
    return mix(standardise(collab), standardise(content) if blend.content else None, popularity, blend)


def mix(collab: np.ndarray, content: np.ndarray | None, popularity: np.ndarray, blend: Blend) -> np.ndarray:
    """Add already standardised parts with the blend's weights (collab is consumed)."""
    if blend.content:
        collab += blend.content * content
    if blend.popularity:
        collab += blend.popularity * popularity[None, :]
    return collab


def standardise(scores: np.ndarray) -> np.ndarray:
    """Scale each row to zero mean and unit spread (rows that are all equal become zeros)."""
    mean = scores.mean(axis=1, keepdims=True)
    spread = scores.std(axis=1, keepdims=True)
    spread[spread == 0] = 1.0
    return (scores - mean) / spread


def event_values(data: Interactions, gain: float, weights: np.ndarray | None = None) -> np.ndarray:
    """Weight each event: its own weight (the bot's signal kinds) times the rating adjustment."""
    values = np.ones(len(data)) if weights is None else weights.astype(np.float64)
    if gain and data.ratings is not None:
        values = values * (1.0 + gain * (data.ratings - 3.0) / 2.0)
    return values


def fit_parts(
    data: Interactions, blend: Blend, weights: np.ndarray | None = None, items: sp.csr_matrix | None = None,
    profiles: sp.csr_matrix | None = None, similar: np.ndarray | None = None, tag_items: np.ndarray | None = None,
) -> Parts:
    """Fit B and popularity on these events with the blend's choices."""
    x = data.matrix(event_values(data, blend.rating_gain, weights))
    b = _scaled(blend.collab, x).weights(x)
    counts = np.bincount(data.items, minlength=data.n_items).astype(np.float64)
    return Parts(x.astype(np.float32), b, standardise(np.log1p(counts)[None, :])[0], items, profiles, blend, similar,
                 tag_items)


def tune(
    train: Interactions, mode: str, seed: int = 42, k: int = 10, grid: Sequence[CollabParams] = FULL_GRID,
    weights: np.ndarray | None = None, items: sp.csr_matrix | None = None, profiles: sp.csr_matrix | None = None,
    similar: np.ndarray | None = None, tag_items: np.ndarray | None = None,
) -> Blend:
    """Choose the collaborative candidate, the rating gain and the part weights on a validation split.

    Each candidate is fitted once and its standardised parts scored once for the validation users;
    the weights are then tried on those (adding matrices, no further products).
    """
    inner_rows, valid_rows = _split_rows(train, mode, seed)
    inner, valid = train.take(inner_rows), train.take(valid_rows)
    inner_weights = None if weights is None else weights[inner_rows]
    seen, truth = inner.matrix(), _sample(valid.matrix(), seed)
    users = np.flatnonzero(np.diff(truth.indptr))
    tried: list[tuple[str, float]] = []

    def ndcg(blend: Blend, parts: Parts, collab: np.ndarray, content: np.ndarray | None = None) -> float:
        total = mix(collab.copy(), content, parts.popularity, blend)
        value = score_ranking(_Rows(users, total), seen, truth, k)[0]
        tried.append((f"{blend.collab} gain={blend.rating_gain} content={blend.content} pop={blend.popularity}",
                      value))
        return value

    def candidate(blend: Blend) -> tuple[float, Blend, Parts, np.ndarray]:
        parts = fit_parts(inner, blend, inner_weights, items, profiles, similar, tag_items)
        collab = standardise(parts.collab(users, np.float32))
        return ndcg(blend, parts, collab), blend, parts, collab

    # max keeps the first best; a generator keeps only it and the current candidate alive.
    best = max((candidate(Blend(c)) for c in grid), key=lambda c: c[0])
    chosen = best[1]
    gains = RATING_GAINS if train.ratings is not None else (0.0,)
    best = max([best, *(candidate(replace(chosen, rating_gain=g)) for g in gains if g != chosen.rating_gain)],
               key=lambda c: c[0])
    _, chosen, parts, collab = best
    content = standardise(parts.content(users, np.float32)) if items is not None else None
    scored = [(ndcg(replace(chosen, content=c, popularity=p), parts, collab, content), c, p)
              for c in (CONTENT_WEIGHTS if items is not None else (0.0,)) for p in POPULARITY_WEIGHTS]
    value, weight, pop = max(scored, key=lambda s: s[0])
    cold = _tune_cold(profiles, tag_items, parts.popularity, truth, k)
    return replace(chosen, content=weight, popularity=pop, cold_content=cold, validation_ndcg=value,
                   tried=tuple(tried))


def _tune_cold(
    profiles: sp.csr_matrix | None, tag_items: np.ndarray | None, popularity: np.ndarray, truth: sp.csr_matrix,
    k: int,
) -> float:
    """Weigh content against popularity for members known only by their tags: their training events hidden."""
    default = Blend(CollabParams("ease")).cold_content
    if tag_items is None or profiles is None:
        return default
    users = np.intersect1d(np.flatnonzero(np.diff(truth.indptr)), np.flatnonzero(np.diff(profiles.indptr)))
    if len(users) < 5:
        return default
    truth = truth[users]
    content = standardise(np.asarray(profiles[users] @ tag_items, dtype=np.float64))
    nothing = sp.csr_matrix(truth.shape)

    def ndcg(weight: float) -> float:
        scores = weight * content + popularity[None, :]
        return score_ranking(_Fixed(scores), nothing, truth, k)[0]

    return max(COLD_CONTENT_WEIGHTS, key=ndcg)


class _Fixed:
    name = "fixed"

    def __init__(self, scores: np.ndarray) -> None:
        self.values = scores

    def scores(self, users: np.ndarray) -> np.ndarray:
        return self.values[users]


class Hybrid:
    """circlebot's model as eval-recs runs it: tuned on a validation split of the training data."""

    name = "circlebot"

    def __init__(self, mode: str, seed: int = 42, k: int = 10, grid: Sequence[CollabParams] = FULL_GRID) -> None:
        self.mode, self.seed, self.k, self.grid = mode, seed, k, grid
        self.blend: Blend | None = None

    def fit(self, train: Interactions) -> None:
        self.blend = tune(train, self.mode, self.seed, self.k, self.grid)
        log.info("circlebot model chose %s", self.blend)
        self.parts = fit_parts(train, self.blend)

    def scores(self, users: np.ndarray) -> np.ndarray:
        return self.parts.scores(users)


class _Rows:
    """Scores computed beforehand for these users (sorted), served by user."""

    name = "candidate"

    def __init__(self, users: np.ndarray, values: np.ndarray) -> None:
        self.users, self.values = users, values

    def scores(self, users: np.ndarray) -> np.ndarray:
        return self.values[np.searchsorted(self.users, users)]


def _scaled(params: CollabParams, x: sp.csr_matrix) -> CollabParams:
    """Turn the relative λ into an absolute one for this matrix."""
    if params.kind == "knn":
        return params
    weighted = user_weights(x, params.alpha)
    mean_diagonal = float(np.asarray(weighted.multiply(weighted).sum(0)).mean()) or 1.0
    return replace(params, lam=params.lam * mean_diagonal)


def _split_rows(data: Interactions, mode: str, seed: int) -> tuple[np.ndarray, np.ndarray]:
    marked = Interactions(data.users, data.items, data.n_users, data.n_items, np.arange(len(data), dtype=np.float64),
                          data.times)
    inner, valid = split(marked, mode if data.times is not None else "random", seed)
    return inner.ratings.astype(np.int64), valid.ratings.astype(np.int64)


def _sample(truth: sp.csr_matrix, seed: int) -> sp.csr_matrix:
    """Keep at most VALIDATION_USERS users with validation events (the rest become empty rows)."""
    users = np.flatnonzero(np.diff(truth.indptr))
    if len(users) <= VALIDATION_USERS:
        return truth
    keep = np.zeros(truth.shape[0])
    keep[np.random.default_rng(seed).choice(users, VALIDATION_USERS, replace=False)] = 1.0
    sampled = sp.csr_matrix(sp.diags(keep) @ truth)
    sampled.eliminate_zeros()
    return sampled
