"""/stats at scale: 100k members and 1M ledger rows in one community, with proportionate activity.

Generates, over the last 90 days: 100k members (joined over 180 days, 5% of them gone), 1M
ledger rows (totals rebuilt from them), ~550k member-days (~1.6M messages), 20k questions with
40k answers, 300 items with 100k opens, 20k Stars payments (5% refunded), 3k memberships and
130k digest notices. Then times what /stats computes (get_stats) for 7, 30 and 90 days, the
chart and the caption, and, in the same run, two baselines: the retention cohorts computed one
member at a time, and the top contributors by a GROUP BY over the raw ledger.

    python bench/stats.py [--members 100000] [--rows 1000000] [--runs 5]

Target: /stats 30d (get_stats) ≤ 2 s.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import math
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from functools import partial
from pathlib import Path

from bot.clock import FakeClock
from bot.i18n import load_translator
from bot.services.points import WINDOWS
from bot.services.points_rules import local_day
from bot.services.stats import MIN_COHORTS, Stats, get_stats
from bot.views.stats import stats_caption
from bot.views.stats_chart import render_chart
from storage.db import Database
from storage.schema import content_items, content_opens, memberships, outbox, paid_memberships, star_payments

COMMUNITY = -1009999999999
FIRST_USER = 10_000_000
DAYS = 90
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)
REASONS = (("message", 1), ("reaction", 1), ("checkin", 4), ("answer", 2), ("answer_accepted", 15))


def _skewed(rng: random.Random, members: int) -> int:
    """A member index, a few members far more often than most (density ~ 1/i^(2/3))."""
    return int(members * rng.random() ** 3)


def _at(today: int, back: int, rng: random.Random) -> dt.datetime:
    midnight = dt.datetime.combine(dt.date.fromordinal(today - back), dt.time(0), dt.UTC)
    return midnight + dt.timedelta(seconds=rng.randrange(86_400))


def _ledger(members: int, rows: int, today: int, rng: random.Random):
    owners = sorted(_skewed(rng, members) for _ in range(rows))
    for i, owner in enumerate(owners):
        back = rng.randrange(DAYS)
        reason, delta = REASONS[0 if rng.random() < 0.7 else rng.randrange(len(REASONS))]
        yield {"community_id": COMMUNITY, "user_id": FIRST_USER + owner, "delta": delta, "scored": True,
               "reason": reason, "ref": None, "idem_key": f"bench:{i:07d}", "day": today - back,
               "created_at": _at(today, back, rng)}


def _member_days(members: int, today: int, rng: random.Random) -> list[tuple[int, int, int, int]]:
    rows = []
    for back in range(DAYS):
        active = {_skewed(rng, members) for _ in range(8_000)}
        rows += [(COMMUNITY, today - back, FIRST_USER + m, 1 + rng.randrange(5)) for m in active]
    return rows


async def populate(db: Database, members: int, rows: int) -> dict[str, int]:
    """Create the community and everything /stats reads; return row counts."""
    rng = random.Random(7)
    today = local_day(NOW, "UTC")
    uid = [FIRST_USER + i for i in range(members)]
    counts: dict[str, int] = {}
    async with db.transaction() as repos:
        await repos.communities.register(COMMUNITY, "Big Circle", "supergroup", "bigcircle", NOW)
        await repos.bulk.add_users([(u, f"Member {u - FIRST_USER}", f"member{u}") for u in uid], NOW)
        joined = [_at(today, rng.randrange(180), rng) for _ in uid]
        gone = [rng.random() < 0.05 for _ in uid]
        await repos.bulk.add_rows(memberships, (
            {"community_id": COMMUNITY, "user_id": u, "status": "left" if g else "member", "is_admin": False,
             "joined_at": j, "left_at": min(j + dt.timedelta(days=rng.randrange(1, 90)), NOW) if g else None}
            for u, j, g in zip(uid, joined, gone, strict=True)))
        await repos.ledger.add_many(_ledger(members, rows, today, rng))
        await repos.ledger.rebuild(COMMUNITY, today, WINDOWS, NOW)
        days = _member_days(members, today, rng)
        await repos.activity.add_messages(days)
        counts["member-days"], counts["messages"] = len(days), sum(d[3] for d in days)
        questions = [{"community_id": COMMUNITY, "number": n + 1, "asker_id": uid[_skewed(rng, members)],
                      "text": f"Question {n}", "message_id": n + 1, "status": "open", "bounty": 0,
                      "answer_count": 2, "accepted_answer_id": None, "closed_at": None,
                      "created_at": _at(today, rng.randrange(DAYS), rng)}
                     for n in range(20_000)]
        for n, q in enumerate(questions):
            q["updated_at"] = q["created_at"]
            if n % 5 < 2:  # 40% solved: the first answer (id 2n+1, ids are given in order) accepted
                q.update(status="solved", accepted_answer_id=2 * n + 1,
                         closed_at=q["created_at"] + dt.timedelta(hours=rng.randrange(1, 48)))
        await repos.questions.add_many(questions)
        answers = []
        for n, q in enumerate(questions):
            for k in (1, 2):
                answers.append({
                    "question_id": n + 1, "community_id": COMMUNITY, "author_id": uid[_skewed(rng, members)],
                    "message_id": 1_000_000 + 2 * n + k, "text": "An answer",
                    "created_at": q["created_at"] + dt.timedelta(minutes=rng.randrange(1, 600) * k)})
        await repos.answers.add_many(answers)
        counts["questions"], counts["answers"] = len(questions), len(answers)
        await repos.bulk.add_rows(content_items, (
            {"community_id": COMMUNITY, "creator_id": uid[0], "title": f"Item {i}", "tags": [], "kind": "text",
             "created_at": _at(today, rng.randrange(DAYS), rng), "updated_at": NOW} for i in range(300)))
        await repos.bulk.add_rows(content_opens, (
            {"community_id": COMMUNITY, "item_id": 1 + rng.randrange(300), "user_id": uid[_skewed(rng, members)],
             "created_at": _at(today, rng.randrange(DAYS), rng)} for _ in range(100_000)))
        await repos.bulk.add_rows(star_payments, (_payment(i, uid[_skewed(rng, members)], today, rng)
                                                  for i in range(20_000)))
        await repos.bulk.add_rows(paid_memberships, (
            {"community_id": COMMUNITY, "user_id": u, "plan_id": 1, "updated_at": NOW, "renewal": "on",
             "expires_at": NOW + dt.timedelta(days=rng.randrange(-30, 30))} for u in uid[:3_000]))
        await repos.bulk.add_rows(outbox, (
            {"dedupe_key": f"digest:{w}:{u}", "chat_id": u, "community_id": COMMUNITY, "kind": "engagement/digest",
             "params": {}, "created_at": _at(today, 7 * w, rng), "status": "sent" if rng.random() < 0.9 else "failed",
             "attempts": 1} for w in range(13) for u in uid[:10_000]))
    counts.update(members=members, ledger=rows, payments=20_000, opens=100_000, digests=130_000)
    return counts


def _payment(i: int, user: int, today: int, rng: random.Random) -> dict[str, object]:
    at = _at(today, rng.randrange(DAYS), rng)
    refunded = rng.random() < 0.05
    plan = rng.random() < 0.3
    return {"charge_id": f"bench-{i}", "community_id": COMMUNITY, "user_id": user, "kind": "plan" if plan else "item",
            "item_id": None if plan else 1 + rng.randrange(300), "plan_id": 1 if plan else None, "currency": "XTR",
            "amount": 10 + rng.randrange(90), "subscription_expires_at": at + dt.timedelta(days=30) if plan else None,
            "is_first_recurring": plan and rng.random() < 0.3, "status": "refunded" if refunded else "paid",
            "refunded_at": at + dt.timedelta(days=1) if refunded else None, "created_at": at}


async def _time(call: Callable[[], Awaitable[object]], runs: int) -> float:
    await call()  # warm: SQLite's page cache, compiled statements
    samples = []
    for _ in range(runs):
        started = time.perf_counter()
        await call()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)


async def naive_cohorts(db: Database, days: int) -> int:
    """The baseline: the retention cohorts of /stats, member by member (one query per newcomer)."""
    today = local_day(NOW, "UTC")
    weeks = max(MIN_COHORTS, math.ceil(days / 7))
    first = today - 7 * weeks + 1
    start = dt.datetime.combine(dt.date.fromordinal(first), dt.time(0), dt.UTC)
    async with db.read() as repos:
        newcomers = await repos.stats.newcomers(COMMUNITY, start, NOW + dt.timedelta(days=1))
        kept = 0
        for user_id, joined in newcomers:
            cohort = (joined.date().toordinal() - first) // 7
            active_weeks = {(d - first) // 7 for d in await repos.stats.days_of(COMMUNITY, user_id, first, today)}
            kept += sum(1 for k in (1, 2, 4) if cohort + k in active_weeks)
    return len(newcomers)


async def main_async(args: argparse.Namespace) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = await Database.open(f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")
        try:
            started = time.perf_counter()
            counts = await populate(db, args.members, args.rows)
            print(", ".join(f"{v:,} {k}" for k, v in counts.items()) +
                  f" (generated in {time.perf_counter() - started:.0f} s)")
            await report(db, args)
        finally:
            await db.close()


async def report(db: Database, args: argparse.Namespace) -> None:
    clock = FakeClock(NOW)
    async with db.read() as repos:
        community = await repos.communities.get(COMMUNITY)
    assert community is not None
    timings: dict[str, float] = {}
    results: dict[int, Stats] = {}

    async def stats(days: int) -> None:
        results[days] = await get_stats(db, clock, community, days)

    for days in (7, 30, 90):
        timings[f"/stats {days}d (get_stats)"] = await _time(partial(stats, days), args.runs)
    t = partial(load_translator(), "en")
    started = time.perf_counter()
    png = await asyncio.to_thread(render_chart, results[30], t)
    timings["chart (PNG, in a thread)"] = time.perf_counter() - started
    caption = stats_caption(t, community.title, results[30])
    print(f"\n{'what':<34} {'median s':>9}   ({args.runs} runs)")
    for label, seconds in timings.items():
        verdict = "" if "get_stats" not in label else ("ok" if seconds <= 2 else "SLOW")
        print(f"{label:<34} {seconds:>9.3f}   {verdict}")
    started = time.perf_counter()
    newcomers = await naive_cohorts(db, 30)
    naive = time.perf_counter() - started

    async def ledger_top() -> None:
        async with db.read() as repos:
            await repos.ledger.top_from_ledger(COMMUNITY, local_day(NOW, "UTC") - 29, 5)

    raw_top = await _time(ledger_top, args.runs)
    fast = timings["/stats 30d (get_stats)"]
    print(f"\nbaseline: cohorts one member at a time ({newcomers:,} newcomers): {naive:.2f} s")
    print(f"baseline: 30-day top contributors by GROUP BY over the ledger: {raw_top:.3f} s")
    print(f"whole /stats 30d vs the per-member cohorts alone: {naive / fast:.1f}x faster")
    print(f"\nPNG {len(png):,} bytes; caption {len(caption)} characters:\n{caption}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5)
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
