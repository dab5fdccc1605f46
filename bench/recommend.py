"""Recommendations at scale: nightly fit time and peak memory per community size, and scoring latency.

Prints, per size: the full fit (tuning on held-out signals, then the final fit), the peak RSS,
one member's top 10 from the fitted model (p50/p95 over 1000 members), the same for the
popularity baseline measured in the same run (the ratio), and the top 10 of every member.
The largest size is the issue's target: 10,000 members × 5,000 items × 500,000 signals
(fit ≤ 60 s, peak RSS ≤ 1.5 GB, every member's top 10 ≤ 20 s, one member ≤ 2 ms p95).
"""

from __future__ import annotations

import datetime as dt
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.recommend.community import fit_community  # noqa: E402
from bot.services.recommend import recommend  # noqa: E402
from storage.models_engagement import DigestItem  # noqa: E402
from storage.models_recommend import CatalogItem, CommunitySignals, Signal  # noqa: E402

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SIZES = ((1_000, 500, 20_000), (3_000, 2_000, 120_000), (10_000, 5_000, 500_000))
TAGS = 50


def community(members: int, items: int, signals: int, seed: int = 7) -> CommunitySignals:
    """Members with one favourite tag (60% of their opens there), item popularity Zipf-like."""
    rng = np.random.default_rng(seed)
    tag_of = rng.integers(0, TAGS, items)
    catalog = [CatalogItem(i + 1, f"Lesson {i} on topic{tag_of[i]}", f"notes about topic{tag_of[i]}",
                           (f"topic{tag_of[i]}",), T0) for i in range(items)]
    weight = 1.0 / np.arange(1, items + 1) ** 0.8
    by_tag = [np.flatnonzero(tag_of == t) for t in range(TAGS)]
    favourite = rng.integers(0, TAGS, members)
    users = rng.integers(0, members, signals)
    own = rng.random(signals) < 0.6
    picked = rng.choice(items, signals, p=weight / weight.sum())
    for n in np.flatnonzero(own):
        pool = by_tag[favourite[users[n]]]
        picked[n] = pool[rng.integers(0, len(pool))] if len(pool) else picked[n]
    kinds = rng.choice(["open", "open", "open", "points", "stars", "rating"], signals)
    found = [Signal(int(u) + 1, int(i) + 1, str(kind), int(rng.integers(1, 6)) if kind == "rating" else 1,
                    T0 + dt.timedelta(minutes=int(m)))
             for u, i, kind, m in zip(users, picked, kinds, rng.integers(0, 60 * 24 * 60, signals), strict=True)]
    interests = {m + 1: (f"topic{favourite[m]}",) for m in range(0, members, 3)}
    return CommunitySignals(catalog, found, interests, [])


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def popularity_top(popularity: np.ndarray, seen: np.ndarray, k: int = 10) -> np.ndarray:
    """The baseline: the most popular items the member has not seen."""
    scores = popularity.copy()
    scores[seen] = -np.inf
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top])]


def top_of(total: np.ndarray, seen: np.ndarray, k: int = 10) -> np.ndarray:
    """circlebot's top k from the scores, the member's own items left out."""
    scores = total.copy()
    scores[seen] = -np.inf
    top = np.argpartition(-scores, k - 1)[:k]
    return top[np.argsort(-scores[top])]


def main() -> None:
    print("model p95: one member's top 10 from the fitted model; picks p50/p95: the same through recommend()")
    print("(filters, diversity, reasons); pop p95: the popularity baseline; ratio: model p95 / pop p95")
    print(f"{'members':>8} {'items':>6} {'signals':>8} {'fit s':>6} {'RSS MB':>7} {'model p95':>10} {'picks p50':>8}"
          f" {'p95 ms':>7} {'pop p95 ms':>10} {'ratio':>6} {'all top10 s':>11}  model")
    for members, items, signals in SIZES:
        data = community(members, items, signals)
        started = time.perf_counter()
        model = fit_community(1, data, T0, len(data.signals))
        fit = time.perf_counter() - started
        rss = peak_rss_mb()
        published = [DigestItem(i.id, 0, i.title, i.tags, None, None, False, None, T0, 0) for i in data.items]
        rng = np.random.default_rng(1)
        sample = rng.choice(np.arange(1, members + 1), min(1000, members), replace=False)
        timings, scoring, baseline = [], [], []
        for user in sample:
            begin = time.perf_counter()
            scores = model.score(int(user), data.interests.get(int(user), ()))
            top_of(scores.total, scores.row.indices)
            scoring.append(time.perf_counter() - begin)
            begin = time.perf_counter()
            recommend(model, published, int(user), data.interests.get(int(user), ()), set(), 10)
            timings.append(time.perf_counter() - begin)
            row = model.rows.get(int(user))
            seen = model.parts.x[row].indices if row is not None else np.zeros(0, dtype=np.int64)
            begin = time.perf_counter()
            popularity_top(model.parts.popularity, seen)
            baseline.append(time.perf_counter() - begin)
        begin = time.perf_counter()
        for user in range(1, members + 1):
            recommend(model, published, user, data.interests.get(user, ()), set(), 10)
        every = time.perf_counter() - begin
        p50, p95 = np.percentile(timings, 50) * 1000, np.percentile(timings, 95) * 1000
        pop95, model95 = np.percentile(baseline, 95) * 1000, np.percentile(scoring, 95) * 1000
        print(f"{members:>8} {items:>6} {signals:>8} {fit:>6.1f} {rss:>7.0f} {model95:>10.2f} {p50:>8.2f}"
              f" {p95:>7.2f} {pop95:>10.3f} {model95 / pop95:>6.1f} {every:>11.1f}  {model.blend.collab.kind}"
              f" content={model.blend.content} pop={model.blend.popularity}", flush=True)


if __name__ == "__main__":
    main()
