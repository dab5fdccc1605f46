"""The evaluation protocol: per-user hold-out splits, full ranking, NDCG@k, Recall@k and item coverage.

Every model is scored by the same code: for each user with a held-out item, all items the user
did not interact with in training are ranked and the top k compared with the held-out ones.
Recall@k divides the hits by min(k, held-out items), so a user with more held-out items than k
can reach 1 (the convention of the EASE and VAE-CF papers).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Protocol

import numpy as np
import scipy.sparse as sp

HOLDOUT = 0.2
SPLITS = ("random", "time")
BATCH = 512  # users scored at once


@dataclass(frozen=True)
class Interactions:
    """User-item events in index space (0..n-1); ratings and times are optional columns."""

    users: np.ndarray
    items: np.ndarray
    n_users: int
    n_items: int
    ratings: np.ndarray | None = None
    times: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.users)

    def take(self, rows: np.ndarray) -> Interactions:
        """Return the events at these row positions, in the same index space."""
        return replace(
            self, users=self.users[rows], items=self.items[rows],
            ratings=None if self.ratings is None else self.ratings[rows],
            times=None if self.times is None else self.times[rows],
        )

    def matrix(self, values: np.ndarray | None = None) -> sp.csr_matrix:
        """Return the users × items matrix of these events (1 per event unless values are given)."""
        data = np.ones(len(self), dtype=np.float64) if values is None else values.astype(np.float64)
        m = sp.csr_matrix((data, (self.users, self.items)), shape=(self.n_users, self.n_items))
        m.sum_duplicates()
        return m


class Model(Protocol):
    """What the protocol evaluates: fit on training events, then score users against all items."""

    name: str

    def fit(self, train: Interactions) -> None: ...

    def scores(self, users: np.ndarray) -> np.ndarray: ...


@dataclass(frozen=True)
class Metrics:
    """One model's figures on one split."""

    name: str
    ndcg: float
    recall: float
    coverage: float
    users: int
    fit_seconds: float


def held_out_count(n: int, fraction: float = HOLDOUT) -> int:
    """Return how many of a user's n events are held out (rounded half up)."""
    return int(np.floor(n * fraction + 0.5))


def split(
    data: Interactions, mode: str, seed: int = 42, fraction: float = HOLDOUT
) -> tuple[Interactions, Interactions]:
    """Hold out each user's last `fraction` of events: shuffled with `seed` (random) or by timestamp (time)."""
    if mode not in SPLITS:
        raise ValueError(f"unknown split {mode!r}; use random or time")
    if mode == "time" and data.times is None:
        raise ValueError("--split time needs a timestamp column")
    rng = np.random.default_rng(seed)
    order = np.argsort(data.users, kind="stable")
    bounds = np.searchsorted(data.users[order], np.arange(data.n_users + 1))
    train, test = [], []
    for user in range(data.n_users):
        rows = order[bounds[user]:bounds[user + 1]]
        if not len(rows):
            continue
        if mode == "random":
            rows = rows[rng.permutation(len(rows))]
        else:
            rows = rows[np.argsort(data.times[rows], kind="stable")]
        cut = len(rows) - held_out_count(len(rows), fraction)
        train.append(rows[:cut])
        test.append(rows[cut:])
    empty = np.zeros(0, dtype=np.int64)
    return (data.take(np.concatenate(train) if train else empty),
            data.take(np.concatenate(test) if test else empty))


def rank_top(scores: np.ndarray, seen: sp.csr_matrix, k: int) -> np.ndarray:
    """Return each row's k best item indexes (best first), never an item marked in `seen`."""
    scores = np.array(scores, dtype=np.float64, copy=True)
    rows, cols = seen.nonzero()
    scores[rows, cols] = -np.inf
    k = min(k, scores.shape[1])
    top = np.argpartition(-scores, k - 1, axis=1)[:, :k]
    order = np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1, kind="stable")
    return np.take_along_axis(top, order, axis=1)


def evaluate(model: Model, train: Interactions, test: Interactions, k: int = 10) -> Metrics:
    """Fit the model on train and return its NDCG@k, Recall@k and coverage on test."""
    started = time.perf_counter()
    model.fit(train)
    fit_seconds = time.perf_counter() - started
    ndcg, recall, shown = score_ranking(model, train.matrix(), test.matrix(), k)
    return Metrics(model.name, ndcg, recall, shown / train.n_items, len(np.unique(test.users)), fit_seconds)


def score_ranking(model: Model, seen: sp.csr_matrix, truth: sp.csr_matrix, k: int) -> tuple[float, float, int]:
    """Return mean NDCG@k, mean Recall@k over the users with truth, and how many items were shown."""
    users = np.flatnonzero(np.diff(truth.indptr))
    discount = 1.0 / np.log2(np.arange(2, k + 2))
    ideal = np.cumsum(discount)
    ndcg_sum = recall_sum = 0.0
    shown: set[int] = set()
    for start in range(0, len(users), BATCH):
        batch = users[start:start + BATCH]
        top = rank_top(model.scores(batch), seen[batch], k)
        relevant = truth[batch]
        hits = np.take_along_axis(relevant.toarray() > 0, top, axis=1)
        counts = np.diff(relevant.indptr)
        ndcg_sum += float(((hits * discount[: top.shape[1]]).sum(1) / ideal[np.minimum(counts, k) - 1]).sum())
        recall_sum += float((hits.sum(1) / np.minimum(counts, k)).sum())
        shown.update(np.unique(top).tolist())
    n = max(len(users), 1)
    return ndcg_sum / n, recall_sum / n, len(shown)
