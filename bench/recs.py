"""Recommendations at scale: nightly fit time and peak memory per community size, and scoring latency.

Prints, per size: the full fit (tuning on held-out signals, then the final fit), the peak RSS,
one member's top 10 from the fitted model (p50/p95 over 1000 members), the same through the
digest's picker (filters, diversity, reasons), the popularity baseline measured in the same run
(the ratio), and the top 10 of every member as a digest run computes them (batched matrix
products, then each member's filters). `--scale` adds the issue's target size: 10,000 members ×
5,000 items × 500,000 signals (fit ≤ 60 s, peak RSS ≤ 1.5 GB, every member's top 10 ≤ 20 s,
one member ≤ 2 ms p95); `--scale-only` runs just that size.
"""

from __future__ import annotations

import argparse
import datetime as dt
import resource
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.recommend.community import fit_community  # noqa: E402
from bot.services.recommend import Picker  # noqa: E402
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


def timed(call, members: list[tuple[int, tuple[str, ...]]]) -> list[float]:
    """Seconds each call took, one per member."""
    found = []
    for user, tags in members:
        begin = time.perf_counter()
        call(user, tags)
        found.append(time.perf_counter() - begin)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", action="store_true", help="add 10,000 members × 5,000 items × 500,000 signals")
    parser.add_argument("--scale-only", action="store_true", help="run only the 10,000-member size")
    args = parser.parse_args()
    sizes = SIZES[-1:] if args.scale_only else SIZES if args.scale else SIZES[:-1]
    print("model p50/p95: one member's top 10 from the fitted model; picks p95: the same through the digest's")
    print("picker (filters, diversity, reasons); pop p95: the popularity baseline; ratio: model p95 / pop p95;")
    print("all top10: every member's top 10 as a digest run makes them (batched scoring, then per-member picks)")
    print(f"{'members':>8} {'items':>6} {'signals':>8} {'fit s':>6} {'RSS MB':>7} {'model p50':>9} {'p95 ms':>7}"
          f" {'picks p95':>9} {'pop p95 ms':>10} {'ratio':>6} {'all top10 s':>11}  model")
    for members, items, signals in sizes:
        data = community(members, items, signals)
        started = time.perf_counter()
        model = fit_community(1, data, T0, len(data.signals))
        fit = time.perf_counter() - started
        rss = peak_rss_mb()
        published = [DigestItem(i.id, 0, i.title, i.tags, None, None, False, None, T0, 0) for i in data.items]
        picker = Picker(model, published)
        rng = np.random.default_rng(1)
        sample = rng.choice(np.arange(1, members + 1), min(1000, members), replace=False)
        members_tags = [(int(user), data.interests.get(int(user), ())) for user in sample]
        # Each stage in its own pass over the sample (interleaving them measures their cache misses instead).
        scoring = timed(lambda user, tags: model.rank([user], [tags], 10), members_tags)
        timings = timed(lambda user, tags: picker.picks(user, tags, set(), 10), members_tags)
        seen = {user: model.parts.x[model.rows[user]].indices if user in model.rows else np.zeros(0, dtype=np.int64)
                for user, _ in members_tags}
        baseline = timed(lambda user, tags: popularity_top(model.parts.popularity, seen[user]), members_tags)
        begin = time.perf_counter()
        everyone = [(user, data.interests.get(user, ())) for user in range(1, members + 1)]
        run = Picker(model, published)
        run.prepare(everyone)
        for user, tags in everyone:
            run.picks(user, tags, set(), 10)
        every = time.perf_counter() - begin
        p50, p95 = np.percentile(scoring, 50) * 1000, np.percentile(scoring, 95) * 1000
        pop95, picks95 = np.percentile(baseline, 95) * 1000, np.percentile(timings, 95) * 1000
        print(f"{members:>8} {items:>6} {signals:>8} {fit:>6.1f} {rss:>7.0f} {p50:>9.2f} {p95:>7.2f}"
              f" {picks95:>9.2f} {pop95:>10.3f} {p95 / pop95:>6.1f} {every:>11.1f}  {model.blend.collab.kind}"
              f" content={model.blend.content} pop={model.blend.popularity}", flush=True)


if __name__ == "__main__":
    main()
