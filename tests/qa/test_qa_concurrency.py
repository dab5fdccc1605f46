"""PostgreSQL: questions and bounties handled by two processes at once (each a `Database` of its own)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest

from bot.errors import DomainError
from bot.services.faq import do_add_faq
from bot.services.points_admin import Adjustment, do_adjust_points
from bot.services.points_rules import Scoring
from bot.services.qa_search import QaIndex
from bot.services.questions import Finished, QaEnv, do_accept, do_answer, do_ask, do_close
from storage.db import Database

from tests.databases import DbUrls
from tests.qa.conftest import QaWorld, open_world


@pytest.fixture
async def two(postgres_urls: DbUrls) -> AsyncIterator[tuple[QaWorld, QaEnv]]:
    """The Q&A world, and a second process's environment on the same database."""
    url = postgres_urls("qa")
    async with open_world(url) as world:
        db = await Database.open(url, migrate=False)
        env = QaEnv(db, world.clock, Scoring(world.env.scoring.config), world.env.config, QaIndex(db, world.env.config))
        try:
            yield world, env
        finally:
            await env.index.close()
            await db.close()


async def _check_ledger(world: QaWorld) -> None:
    async with world.env.db.read() as repos:
        keys = await repos.ledger.keys(world.group)
        assert await repos.ledger.member_totals(world.group) == await repos.ledger.sums(world.group)
    assert len(keys) == len(set(keys))


async def test_concurrent_bounty_holds_cannot_overspend(two: tuple[QaWorld, QaEnv]) -> None:
    world, other = two
    await world.give(world.alice, 100)
    envs = (world.env, other)
    asks = [
        do_ask(envs[i % 2], world.group, world.alice, 100 + i, f"bounty question number {i}", 30) for i in range(6)
    ]
    # Admin deductions from Alice's balance race the holds (they store no user row, so nothing else orders them).
    deducts = [
        do_adjust_points(envs[i % 2].db, envs[i % 2].scoring, world.clock,
                         Adjustment(world.group, world.carol.id, world.alice.id, -30, "fine", f"fine:{i}"))
        for i in range(6)
    ]
    results = await asyncio.gather(*(x for pair in zip(asks, deducts, strict=True) for x in pair),
                                   return_exceptions=True)
    held = [r for r in results[0::2] if not isinstance(r, BaseException)]
    taken = [r for r in results[1::2] if not isinstance(r, BaseException)]
    short = ("qa.bounty.short", "deduct.beyond_balance")
    refused = [r for r in results if isinstance(r, DomainError) and r.key in short]
    assert len(refused) + len(held) + len(taken) == 12, results
    assert 30 * (len(held) + len(taken)) <= 100 + 2 * len(held)
    assert sorted(a.question.number for a in held) == list(range(1, len(held) + 1))
    async with world.env.db.read() as repos:
        member = await repos.points.member(world.group, world.alice.id)
    assert member is not None and member.balance == 100 + 2 * len(held) - 30 * (len(held) + len(taken))
    await _check_ledger(world)


async def test_questions_asked_at_once_get_distinct_numbers_and_a_replay_is_one(two: tuple[QaWorld, QaEnv]) -> None:
    world, other = two
    envs = (world.env, other)
    people = (world.alice, world.bob, world.carol, world.dave)
    asked = await asyncio.gather(
        *(do_ask(envs[i % 2], world.group, people[i % 4], 200 + i, f"plain question number {i}") for i in range(12))
    )
    assert sorted(a.question.number for a in asked) == list(range(1, 13))
    # The same /ask update handled by both processes at once: one question.
    replayed = await asyncio.gather(
        *(do_ask(envs[i % 2], world.group, world.bob, 300, "the same question twice") for i in range(4))
    )
    assert sum(a.created for a in replayed) == 1
    assert len({a.question.id for a in replayed}) == 1
    await _check_ledger(world)


async def test_accept_and_close_at_once_settle_the_bounty_once(two: tuple[QaWorld, QaEnv]) -> None:
    world, other = two
    await world.give(world.alice, 100)
    for round_ in range(4):
        base = 1000 * (round_ + 1)
        asked = await do_ask(world.env, world.group, world.alice, base, f"round {round_}: which lock is right?", 20)
        answered = await do_answer(world.env, world.group, world.bob, base, base + 1, "a row lock, taken in order")
        assert answered is not None
        # The same accept from two processes, and a close by the asker, all at once.
        results = await asyncio.gather(
            do_accept(world.env, world.group, world.alice.id, False, base + 1),
            do_accept(other, world.group, world.alice.id, False, base + 1),
            do_close(other, world.group, world.alice.id, False, number=asked.question.number),
            return_exceptions=True,
        )
        finished = [r for r in results if isinstance(r, Finished)]
        assert sum(r.changed for r in finished) == 1, results
        assert all(isinstance(r, (Finished, DomainError)) for r in results), results
        accepts = results[:2]
        if any(isinstance(r, Finished) and r.changed for r in accepts):
            # The other process's accept of the same update is a replay, not an error.
            assert all(isinstance(r, Finished) for r in accepts), results
    async with world.env.db.read() as repos:
        keys = await repos.ledger.keys(world.group)
    for n in range(1, 5):
        settled = [k for k in keys if k.startswith(("bounty_pay:", "bounty_return:")) and k.endswith(f":{n}")]
        assert len(settled) == 1
    await _check_ledger(world)


async def test_faq_entries_added_at_once_get_distinct_numbers(two: tuple[QaWorld, QaEnv]) -> None:
    world, other = two
    envs = (world.env, other)
    added = await asyncio.gather(
        *(do_add_faq(envs[i % 2], world.group, world.carol.id, f"How do I take lock number {i}?",
                     f"In id order, number {i}.") for i in range(10))
    )
    assert sorted(entry.number for entry in added) == list(range(1, 11))
