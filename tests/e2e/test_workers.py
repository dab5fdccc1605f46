"""Several webhook workers on one database: each update handled once, each chat's updates in order."""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
from pathlib import Path

import httpx

from bot.runner import BotRunner
from bot.services.updates import get_update_status
from storage.db import Database
from tests.e2e.workers_helpers import SECRET, free_port, hook_url, start_worker, stop, wait_listening, wait_workers
from tests.fixtures import make_settings, outbox_settled, stored
from tgsim import Simulator

T = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
LEASE = dt.timedelta(seconds=30)
LONG = "this message is long enough to earn a point"


async def test_a_claim_holds_until_done_and_a_dead_workers_lapses(db_urls) -> None:
    db = await Database.open(db_urls("bot.db"))
    try:
        async with db.transaction() as repos:
            updates = repos.received_updates
            assert await updates.claim(7, "a", T, T + LEASE) == "new"
            assert await updates.claim(7, "b", T, T + LEASE) == "busy"  # a is handling it
            # a died: once its lease ran out, the redelivery is b's.
            assert await updates.claim(7, "b", T + 2 * LEASE, T + 3 * LEASE) == "retaken"
            assert not await updates.finish(7, "a", T)  # a's late finish does not count
            assert await updates.finish(7, "b", T + 2 * LEASE)
            assert await updates.claim(7, "a", T + 9 * LEASE, T + 10 * LEASE) == "done"
            assert await updates.claim(8, "a", T, T + LEASE) == "new"
            assert await updates.release(8, "a")  # a stopped before handling it
            assert await updates.claim(8, "b", T, T + LEASE) == "new"
            assert await updates.prune(T + dt.timedelta(seconds=1)) == 2
            assert await updates.status(7) is None
    finally:
        await db.close()


async def test_concurrent_claims_from_two_engines_make_one_winner(postgres_urls) -> None:
    url = postgres_urls("bot.db")
    one, two = await Database.open(url), await Database.open(url, migrate=False)
    try:
        async def claim(db: Database, worker: str, update_id: int) -> str:
            async with db.transaction() as repos:
                return await repos.received_updates.claim(update_id, worker, T, T + LEASE)

        for update_id in range(20):
            results = await asyncio.gather(*(claim(db, f"w{i}", update_id) for i, db in enumerate([one, two] * 3)))
            assert sorted(results) == ["busy"] * 5 + ["new"]
    finally:
        await one.close()
        await two.close()


async def _post_to(ports: list[int], body: dict) -> list[int]:
    async with httpx.AsyncClient(timeout=30) as client:
        answers = await asyncio.gather(*(
            client.post(hook_url(port), json=body, headers={"X-Telegram-Bot-Api-Secret-Token": SECRET})
            for port in ports
        ))
    return [answer.status_code for answer in answers]


async def test_webhook_refuses_bad_bodies_and_handles_a_repeat_once(sim: Simulator, db_urls, clock, alice) -> None:
    port = free_port()
    settings = make_settings(
        sim, db_urls("bot.db"), telegram={"mode": "webhook"},
        webhook={"url": hook_url(port), "port": port, "secret_token": SECRET},
    )
    bot = BotRunner(settings, sim.token, clock=clock)
    await bot.start()
    try:
        await sim.updates.delete_webhook()  # the test posts the updates itself
        await alice.start()
        body = sim.updates.pending[-1].to_dict()
        async with httpx.AsyncClient() as client:
            headers = {"X-Telegram-Bot-Api-Secret-Token": SECRET}
            garbage = await client.post(hook_url(port), content=b"{not json", headers=headers)
            no_id = await client.post(hook_url(port), json={"message": {}}, headers=headers)
        assert (garbage.status_code, no_id.status_code) == (400, 400)
        answers = await _post_to([port, port, port], body)
        assert 200 in answers and set(answers) <= {200, 503}, answers
        await sim.wait_for(lambda: sim.bot_messages(None, user=alice), timeout=10)
        assert await _post_to([port], body) == [200]
        await bot.app.bot_data.outbox.idle()  # anything the repeat had queued would be out now
        assert len(sim.bot_messages(None, user=alice)) == 1
        assert await get_update_status(bot.app.bot_data.db, body["update_id"]) == "done"
    finally:
        await bot.stop()


async def test_the_same_update_sent_to_two_workers_is_handled_once(
    sim: Simulator, postgres_urls, alice, tmp_path: Path
) -> None:
    url = postgres_urls("bot.db")
    ports = [free_port(), free_port()]
    workers = [await start_worker(sim, url, port, tmp_path / f"w{port}.log") for port in ports]
    try:
        for port in ports:
            await wait_listening(port)
        await sim.wait_for(lambda: sim.updates.webhook.url, timeout=30)
        await sim.updates.delete_webhook()  # the test delivers, to both workers at once
        welcomes = 0
        for round_ in range(5):
            await alice.send(None, "/start" if round_ % 2 == 0 else "/help")
            body = sim.updates.pending[-1].to_dict()
            answers = await _post_to(ports, body)
            # One handled it; the other found it handled (200) or being handled (503: Telegram retries).
            assert 200 in answers and set(answers) <= {200, 503}, answers
            assert await _post_to(ports, body) == [200, 200]  # a later redelivery: done already
            welcomes += round_ % 2 == 0
        # Answered after handling: the replies are out; a notice queued twice would be out once this holds.
        await sim.wait_until(lambda: outbox_settled(url), timeout=30)
        replies = [m.text or "" for m in sim.bot_messages(None, user=alice)]
        assert len(replies) == 5
        assert [("Welcome" in text) for text in replies] == [True, False, True, False, True]
        async with stored(url) as repos:
            assert await repos.received_updates.status(body["update_id"]) == "done"
    finally:
        await stop(*workers)


async def test_two_workers_keep_each_chats_order_and_exact_caps(
    sim: Simulator, postgres_urls, alice, carol, tmp_path: Path
) -> None:
    url = postgres_urls("bot.db")
    port = free_port()
    parent = await start_worker(
        sim, url, port, tmp_path / "workers.log", "--workers", "2",
        CIRCLEBOT__POINTS__MESSAGE_COOLDOWN="0", CIRCLEBOT__POINTS__MESSAGE_DAILY_CAP="5",
    )
    try:
        await wait_workers(url, 2)
        await wait_listening(port)
        await sim.wait_for(lambda: sim.updates.webhook.url, timeout=30)
        sim.updates.keep_alive = False  # each post a new connection, which the kernel gives to either worker
        group = sim.group("Workers Circle", owner=carol, supergroup=True)
        await group.add_bot(by=carol, admin=True)
        await carol.expect(group, contains="Hello", timeout=30)
        await alice.join(group)
        # Three private chats at once, each alternating two commands; and a burst in the group.
        people = tuple(sim.user(name, username=name.lower()) for name in ("Dave", "Erin", "Frank"))
        for i in range(6):
            for person in people:
                await person.send(None, "/start" if i % 2 == 0 else "/help")
            await alice.send(group, f"{LONG} ({i})")
            await alice.send(group, f"{LONG} ({i}) again")
        await sim.wait_for(lambda: not sim.updates.pending, timeout=60)
        for person in people:
            replies = [m.text or "" for m in sim.bot_messages(None, user=person)]
            assert [("Welcome" in text) for text in replies] == [True, False] * 3, replies
        async with stored(url) as repos:
            member = await repos.points.member(group.id, alice.id)
            handled = await repos.received_updates.count_by_worker()
        assert member is not None and member.score == 5  # the daily cap, though two workers shared the burst
        assert len(handled) == 2, handled
    finally:
        await stop(parent)


async def test_a_worker_that_dies_is_replaced_and_sigterm_stops_them_all(
    sim: Simulator, postgres_urls, tmp_path: Path
) -> None:
    url = postgres_urls("bot.db")
    parent = await start_worker(sim, url, free_port(), tmp_path / "workers.log", "--workers", "2")
    try:
        first = await wait_workers(url, 2)
        dead = min(first)
        os.kill(dead, signal.SIGKILL)
        after = await wait_workers(url, 2, without=frozenset({dead}))
        assert len(after) == 2 and dead not in after and after & first  # one replaced, one kept
        parent.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(parent.wait(), 60) == 0
        await wait_workers(url, 0, without=frozenset(after))  # every worker stopped with it
    finally:
        await stop(parent)
