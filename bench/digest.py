"""Composing the morning digests at scale: 10,000 members in 10 communities.

Each community gets 1,000 members who started the bot (two interest tags each), 500 items
(a few new since yesterday), 2,000 questions over a year (some open this week), answers,
opens, unlocks and a year of points ledger. The bench then runs the members' digest for
every community as the 09:00 sweep does (read, compose, queue the outbox rows in one
transaction), and times one member's composition from the community's data read once.
The baseline, in the same run, is what a per-member loop costs: re-reading the
community's data for each member.

    python bench/digest.py [--communities 10] [--members 1000]

Targets: all digests queued in ≤ 10 s; composing one member ≤ 1 ms p95.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import random
import resource
import statistics
import tempfile
import time
from pathlib import Path

from bot.clock import FakeClock
from bot.config import load_settings
from bot.schedule import local_now
from bot.services.digests import compose_member_digest, load_digest_world
from bot.services.engagement import do_run_engagement
from bot.services.points import WINDOWS
from bot.services.points_rules import local_day
from storage.db import Database
from storage.schema import answers, content_items, content_opens, entitlements, onboarding, questions, users

NOW = dt.datetime(2026, 3, 3, 9, 0, tzinfo=dt.UTC)  # a Tuesday, digest time
FIRST_COMMUNITY = -1005000000000
FIRST_USER = 20_000_000
TAGS = [f"topic{i}" for i in range(20)]
ITEMS, QUESTIONS, ANSWERS, OPENS, UNLOCKS, LEDGER = 500, 2000, 3000, 20000, 3000, 30000


def _ago(rng: random.Random, days: float) -> dt.datetime:
    return NOW - dt.timedelta(seconds=rng.random() * days * 86400)


async def populate(db: Database, communities: int, members: int, seed: int = 3) -> float:
    """Build the communities; return the seconds it took."""
    started = time.perf_counter()
    rng = random.Random(seed)
    today = local_day(NOW, "UTC")
    async with db.transaction() as repos:
        bulk = repos.bulk
        for c in range(communities):
            cid = FIRST_COMMUNITY - c
            await repos.communities.register(cid, f"Circle {c}", "supergroup", None, NOW - dt.timedelta(days=400))
            ids = [FIRST_USER + c * members + i for i in range(members)]
            await bulk.add_rows(users, ({"id": uid, "first_name": f"Member {uid}", "is_bot": False,
                                         "started_at": NOW - dt.timedelta(days=30), "created_at": NOW,
                                         "updated_at": NOW} for uid in ids))
            await bulk.add_members(cid, ids, NOW - dt.timedelta(days=60))
            await bulk.add_rows(onboarding, ({"community_id": cid, "user_id": uid, "step": "done",
                                              "tags": rng.sample(TAGS, 2), "created_at": NOW,
                                              "updated_at": NOW} for uid in ids))
            first_item = c * ITEMS + 1
            await bulk.add_rows(content_items, (
                {"id": first_item + i, "community_id": cid, "creator_id": ids[0], "title": f"Guide {i} of {c}",
                 "description": None, "tags": rng.sample(TAGS, 2), "kind": "text", "body_html": "…",
                 "price_stars": rng.choice((None, 25, 50)), "price_points": None, "min_level": None,
                 "members_only": False, "status": "published",
                 "created_at": _ago(rng, 0.9 if i < 5 else 60), "updated_at": NOW}
                for i in range(ITEMS)))
            await bulk.add_rows(content_opens, (
                {"community_id": cid, "item_id": first_item + int(ITEMS * rng.random() ** 2),
                 "user_id": rng.choice(ids), "created_at": _ago(rng, 30)} for _ in range(OPENS)))
            pairs = rng.sample(range(ITEMS * members), UNLOCKS)  # distinct (item, member) pairs
            await bulk.add_rows(entitlements, ({"community_id": cid, "item_id": first_item + p // members,
                                                "user_id": ids[p % members], "source": "grant",
                                                "created_at": _ago(rng, 30)} for p in pairs))
            first_q = c * QUESTIONS + 1
            await bulk.add_rows(questions, (
                {"id": first_q + n, "community_id": cid, "number": n + 1, "asker_id": rng.choice(ids),
                 "text": f"How do I use {rng.choice(TAGS)} with {rng.choice(TAGS)}?", "message_id": n + 1,
                 "status": "open" if n >= QUESTIONS - 100 else "solved", "bounty": 0, "answer_count": 0,
                 "created_at": _ago(rng, 6 if n >= QUESTIONS - 100 else 365), "updated_at": NOW}
                for n in range(QUESTIONS)))
            await bulk.add_rows(answers, (
                {"community_id": cid, "question_id": first_q + rng.randrange(QUESTIONS), "author_id": rng.choice(ids),
                 "message_id": 100_000 + a, "text": "Try the second approach from the docs, it works.",
                 "created_at": _ago(rng, 2 if a % 10 == 0 else 365)} for a in range(ANSWERS)))
            await repos.ledger.add_many(
                {"community_id": cid, "user_id": rng.choice(ids), "delta": 1, "scored": True, "reason": "message",
                 "ref": None, "idem_key": f"bench:{c}:{i}", "day": today - (back := rng.randrange(365)),
                 "created_at": NOW - dt.timedelta(days=back)} for i in range(LEDGER))
            await repos.ledger.rebuild(cid, today, WINDOWS, NOW)
    return time.perf_counter() - started


async def main_async(args: argparse.Namespace) -> None:
    config = load_settings(None)
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        try:
            seconds = await populate(db, args.communities, args.members)
            total = args.communities * args.members
            print(f"{args.communities} communities × {args.members} members = {total} members "
                  f"(generated in {seconds:.1f} s)")
            ids = [FIRST_COMMUNITY - c for c in range(args.communities)]
            clock = FakeClock(NOW)
            started = time.perf_counter()
            counts: dict[str, list[int]] = {}
            for cid in ids:
                for run in await do_run_engagement(db, clock, config, cid):
                    queued, skipped = counts.setdefault(run.kind, [0, 0])
                    counts[run.kind] = [queued + run.queued, skipped + run.skipped]
            sweep = time.perf_counter() - started
            done = ", ".join(f"{kind}: {q} queued, {s} skipped" for kind, (q, s) in counts.items())
            print(f"\nthe 09:00 sweep ({done}) in {sweep:.2f} s ({'ok' if sweep <= 10 else 'SLOW'}; target ≤ 10 s)")
            await per_member(db, config, ids, args)
        finally:
            await db.close()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS: {rss:.0f} MB")


async def per_member(db: Database, config, ids: list[int], args: argparse.Namespace) -> None:
    """Time one member's composition from data read once, against re-reading it per member."""
    samples, loads = [], []
    local = local_now(NOW, "UTC")
    for cid in ids:
        async with db.read() as repos:
            community = await repos.communities.get(cid)
            started = time.perf_counter()
            world = await load_digest_world(repos, community, NOW - dt.timedelta(days=1), NOW)
            loads.append(time.perf_counter() - started)
        for member in world.recipients:
            started = time.perf_counter()
            compose_member_digest(world, member, config, "bench", local)
            samples.append((time.perf_counter() - started) * 1000)
    samples.sort()
    p50, p95 = statistics.median(samples), samples[int(len(samples) * 0.95) - 1]
    load = statistics.median(loads) * 1000
    print(f"compose one member: p50 {p50:.3f} ms, p95 {p95:.3f} ms ({'ok' if p95 <= 1 else 'SLOW'}; target ≤ 1 ms)")
    print(f"read one community's digest data: median {load:.0f} ms")
    # The baseline: a loop that reads the community's data again for every member.
    naive = []
    async with db.read() as repos:
        community = await repos.communities.get(ids[0])
        for member in world.recipients[: args.baseline_members]:
            started = time.perf_counter()
            again = await load_digest_world(repos, community, NOW - dt.timedelta(days=1), NOW)
            compose_member_digest(again, member, config, "bench", local)
            naive.append((time.perf_counter() - started) * 1000)
    naive_ms = statistics.median(naive)
    per_member_ms = (sum(loads) * 1000 + sum(samples)) / len(samples)
    print(f"baseline, re-reading per member: median {naive_ms:.1f} ms per member "
          f"({args.baseline_members} members); batched: {per_member_ms:.3f} ms per member "
          f"= {naive_ms / per_member_ms:.0f}× faster")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--communities", type=int, default=10)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--baseline-members", type=int, default=30)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
