"""Moving a community from SQLite to PostgreSQL end to end: the real bot builds it, `circlebot migrate-data`
copies it, the bot goes on over PostgreSQL showing the same points, purchases and questions, and new
writes (questions, items, payments, points) get ids after the copied ones."""

from __future__ import annotations

import asyncio
import sys

import pytest

from bot.clock import FakeClock
from bot.config import Settings
from bot.runner import BotRunner
from tests.content.flows import invoice_for, publish
from tests.databases import DbUrls
from tests.fixtures import ROOT, make_settings, stored
from tgsim import SimChat, Simulator, SimUser

pytestmark = pytest.mark.usefixtures("payload_secret")  # Stars buying on (tests/fixtures.py)

WAIT = 15.0
QUESTION = "How do I keep a Telegram bot's database small when it has years of history?"
ANSWER = "Archive the old ledger rows into monthly totals and vacuum the database afterwards."


def _settings(sim: Simulator, url: str) -> Settings:
    # Many replies in one group within seconds: PTB's 20-a-minute group limiter would pace them.
    return make_settings(sim, url, telegram={"group_max_rate": 1000}, onboarding={"welcome_delay": 0})


async def _settle(sim: Simulator, runner: BotRunner) -> None:
    """Wait until every update so far was handled and what it queued (points, notices) went out."""
    await runner.wait_processed(sim.last_update_id, timeout=WAIT)
    await runner.app.bot_data.points_writer.flush()
    await runner.app.bot_data.outbox.idle()


async def _build(sim: Simulator, runner: BotRunner, carol: SimUser, alice: SimUser, bob: SimUser) -> SimChat:
    """A community with points earned, a Stars purchase, a solved question and an open one."""
    group = sim.group("Python Circle", owner=carol, supergroup=True)
    await group.add_bot(by=carol, admin=True)
    await carol.expect(group, contains="Hello")
    for user in (alice, bob):
        await user.start()
        await user.expect()
        await user.join(group)
    tip = await alice.send(group, "Tip: run VACUUM INTO to take a consistent copy of a live SQLite database.")
    await bob.react(tip, "👍")
    await alice.send(group, "/checkin")
    await alice.expect(group, contains="Checked in")
    await carol.send(group, "/award @alice 20 for the backup tip")
    await carol.expect(group, contains="+20")

    item = await publish(carol, group, "SECRET-MOVE the full backup guide", "50 | Backup guide | ops")
    alice.stars = 200
    assert (await alice.pay(await invoice_for(alice, item))).ok
    await alice.expect(contains="SECRET-MOVE")

    await alice.send(group, f"/ask {QUESTION}")
    post = await alice.expect(group, contains="Q#1")
    answer = await bob.reply(post, ANSWER)
    await alice.reply(answer, "/accept")
    await alice.expect(group, contains="Q#1 is solved")
    await carol.send(group, "/ask Which PostgreSQL version should a community run on?")
    await carol.expect(group, contains="Q#2")
    await _settle(sim, runner)
    return group


async def _views(sim: Simulator, runner: BotRunner, group: SimChat, alice: SimUser, bob: SimUser) -> dict[str, str]:
    """What members see of their points, purchases and questions."""
    seen = {}
    for name, user, chat, command, marker in (
        ("top", alice, group, "/top all", "Top members"),
        ("me", alice, group, "/me", "Level"),
        ("mycontent", alice, None, "/mycontent", "Your content"),
        ("questions", bob, group, "/questions", "Open questions"),
    ):
        await user.send(chat, command)
        seen[name] = (await user.expect(chat, contains=marker, timeout=WAIT)).text or ""
    await _settle(sim, runner)
    return seen


async def _migrate_data(source: str, target: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "migrate-data", "--from", source, "--to", target, cwd=ROOT,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 120)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def _points(url: str, group: SimChat) -> tuple[dict[int, tuple[int, int]], dict[int, tuple[int, int]]]:
    async with stored(url) as repos:
        return await repos.ledger.sums(group.id), await repos.ledger.member_totals(group.id)


async def test_a_community_moves_to_postgresql_and_goes_on(
    sim: Simulator, clock: FakeClock, tmp_path, postgres_urls: DbUrls, carol, alice, bob
) -> None:
    sqlite_url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'circlebot.db'}"
    postgres_url = postgres_urls("moved", migrated=False)  # a fresh database, as an operator creates it
    first = BotRunner(_settings(sim, sqlite_url), sim.token, clock=clock)
    await first.start()
    try:
        group = await _build(sim, first, carol, alice, bob)
        before = await _views(sim, first, group, alice, bob)
    finally:
        await first.stop()
    sums, totals = await _points(sqlite_url, group)

    code, out, err = await _migrate_data(sqlite_url, postgres_url)
    assert code == 0, out + err
    assert "points: 3 members in 1 communities: ledger sums equal the scores and balances" in out, out
    assert "verified: the copy matches the source" in out

    second = BotRunner(_settings(sim, postgres_url), sim.token, clock=clock)
    await second.start()
    try:
        assert second.app.bot_data.db.dialect_name == "postgresql"
        assert await _views(sim, second, group, alice, bob) == before
        assert await _points(postgres_url, group) == (sums, totals)

        # New writes take ids after the copied ones: a question, an answer, an item, a payment, points.
        await bob.send(group, "/ask Does the bot keep working after moving to PostgreSQL?")
        post = await bob.expect(group, contains="Q#3", timeout=WAIT)
        answer = await alice.reply(post, "Yes: the same points, purchases and questions, on the new database.")
        await bob.reply(answer, "/accept")
        await bob.expect(group, contains="Q#3 is solved", timeout=WAIT)
        item = await publish(carol, group, "SECRET-NEXT the restore guide", "30 | Restore guide | ops")
        assert item == 2
        assert (await alice.pay(await invoice_for(alice, item))).ok
        await alice.expect(contains="SECRET-NEXT", timeout=WAIT)
        await alice.send(None, "/mycontent")
        mine = await alice.expect(None, contains="Your content", timeout=WAIT)
        assert "Backup guide" in (mine.text or "") and "Restore guide" in (mine.text or "")
        await _settle(sim, second)
    finally:
        await second.stop()
    after_sums, after_totals = await _points(postgres_url, group)
    assert after_sums == after_totals
    assert after_totals[alice.id][0] > totals[alice.id][0] and after_totals[bob.id][0] > totals[bob.id][0]
    async with stored(postgres_url) as repos:
        assert len(await repos.payments.list_all()) == 2
        assert [e.delivery for e in await repos.entitlements.list_all()] == ["delivered", "delivered"]
    assert await _points(sqlite_url, group) == (sums, totals)  # the source was only read
