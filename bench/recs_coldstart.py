"""Cold start: members known only by their interest tags, and new items nobody opened yet.

A synthetic community: 40 tags, 1,200 items (each with one tag, titles in English or
Chinese), 2,000 members whose opens follow their interest tags (70% of opens in them).
400 members keep their tags but lose every open: their held-out opens are the truth, and
NDCG@10 of circlebot's model is compared with popularity's. 60 items published "today"
have no opens: we count how often they reach members' top 10s through the content model.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.recommend.community import fit_community  # noqa: E402
from bot.services.recommend import recommend  # noqa: E402
from storage.models_engagement import DigestItem  # noqa: E402
from storage.models_recommend import CatalogItem, CommunitySignals, Signal  # noqa: E402

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TAGS = [f"topic{t}" if t % 2 else f"主题{t}" for t in range(40)]
ITEMS, NEW, MEMBERS, COLD, OPENS = 1200, 60, 2000, 400, 30


def ndcg(ranked: list[int], truth: set[int], k: int = 10) -> float:
    dcg = sum(1 / np.log2(r + 2) for r, item in enumerate(ranked[:k]) if item in truth)
    return dcg / sum(1 / np.log2(r + 2) for r in range(min(k, len(truth))))


def main() -> None:
    rng = np.random.default_rng(11)
    tag_of = rng.integers(0, len(TAGS), ITEMS)
    catalog = [CatalogItem(i + 1, (f"{TAGS[tag_of[i]]} 入门笔记 {i}" if tag_of[i] % 2 == 0 else
                                   f"Notes on {TAGS[tag_of[i]]} part {i}"), "", (TAGS[tag_of[i]],), T0)
               for i in range(ITEMS)]
    new_ids = set(range(ITEMS - NEW + 1, ITEMS + 1))
    popularity = 1.0 / np.arange(1, ITEMS + 1) ** 0.7
    signals, interests, truth = [], {}, {}
    for member in range(1, MEMBERS + 1):
        tags = rng.choice(len(TAGS), 2, replace=False)
        interests[member] = tuple(TAGS[t] for t in tags)
        mine = np.flatnonzero(np.isin(tag_of, tags) & (np.arange(ITEMS) < ITEMS - NEW))
        others = np.arange(ITEMS - NEW)
        opened = set()
        while len(opened) < OPENS:
            pool = mine if rng.random() < 0.7 else others
            p = popularity[pool] / popularity[pool].sum()
            opened.add(int(pool[rng.choice(len(pool), p=p)]) + 1)
        if member <= COLD:
            truth[member] = opened  # a cold member: tags only, their opens are what we must predict
        else:
            signals += [Signal(member, item, "open", 1, T0) for item in opened]
    model = fit_community(1, CommunitySignals(catalog, signals, interests, []), T0, len(signals))
    published = [DigestItem(i.id, 0, i.title, i.tags, None, None, False, None, T0, 0) for i in catalog]
    counts = np.bincount([s.item_id for s in signals], minlength=ITEMS + 1)
    by_popularity = [int(i) for i in np.argsort(-counts[1:], kind="stable") + 1]
    cold_model = np.mean([ndcg([p.item.id for p in recommend(model, published, m, interests[m], set(), 10)],
                               truth[m]) for m in truth])
    cold_pop = np.mean([ndcg(by_popularity, truth[m]) for m in truth])
    warm = range(COLD + 1, MEMBERS + 1)
    reached = [any(p.item.id in new_ids for p in recommend(model, published, m, interests[m], set(), 10))
               for m in warm]
    print(f"tags-only members ({COLD}): NDCG@10 circlebot {cold_model:.4f} vs popularity {cold_pop:.4f}"
          f" ({(cold_model / cold_pop - 1) * 100:+.0f}%)  [blend cold_content={model.blend.cold_content}]")
    print(f"new items without opens ({NEW}): in the top 10 of {sum(reached)} of {len(reached)} members"
          f" ({np.mean(reached) * 100:.0f}%)")


if __name__ == "__main__":
    main()
