"""The creator's /stats and /export end to end: figures and files go to the admin in private only."""

from __future__ import annotations

import csv

import sqlalchemy as sa

from bot.services.export import HEADERS
from storage.schema import member_days
from tests.fixtures import stored
from tgsim.world import MessageRecord

PNG = b"\x89PNG\r\n\x1a\n"
ONLY_ADMINS = "Only the community's admins"


def file_of(sim, message: MessageRecord) -> bytes:
    return sim.world.files[message.meta["file"]].data


def png_size(data: bytes) -> tuple[int, int]:
    assert data.startswith(PNG) and data[12:16] == b"IHDR", data[:16]
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def read_csv(data: bytes) -> list[list[str]]:
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte-order mark"
    return list(csv.reader(data[3:].decode("utf-8").splitlines()))


async def _wrote(sim, settings, messages: int) -> None:
    async def check() -> bool:
        async with stored(settings.storage.url) as repos:
            total = await repos.conn.scalar(sa.select(sa.func.coalesce(sa.func.sum(member_days.c.messages), 0)))
        return total >= messages

    await sim.wait_until(check)


async def test_stats_in_the_group_goes_to_the_admin_in_private(sim, runner, settings, group, carol, alice) -> None:
    await alice.join(group)
    for text in ("Hello everyone, glad to be here!", "Does anyone use SQLite in WAL mode?"):
        await alice.send(group, text)
    await _wrote(sim, settings, 2)
    await carol.send(group, "/stats")  # she has not started the bot: only how to, in the group
    assert "press Start" in (await carol.expect(group, contains="private")).text
    await carol.start()
    await carol.expect()
    before = len(sim.bot_messages(group))
    await carol.send(group, "/stats")
    await carol.expect(group, contains="Sent to you in private")
    chart = await carol.expect(contains="last 30 days")
    assert chart.extra.get("photo") and png_size(file_of(sim, chart)) == (1200, 900)
    assert len(file_of(sim, chart)) > 20_000
    assert "Messages: 2" in chart.content and "🏆 Top: Alice" in chart.content and len(chart.content) <= 1024
    posted = sim.bot_messages(group)[before:]
    assert [m.content for m in posted] == ["📬 Sent to you in private."]  # no figures, no names in the group
    await carol.send(group, "/stats 1y")
    await carol.expect(group, contains="Usage: /stats [7d|30d|90d]")


async def test_stats_in_chinese_for_a_chinese_admin_in_private(sim, runner) -> None:
    wei = sim.user("伟", username="wei_admin", language_code="zh-hans")
    group = sim.group("中文圈", owner=wei, supergroup=True)
    await group.add_bot(by=wei, admin=True)
    await wei.expect(group)
    await wei.start()
    await wei.expect()
    await wei.send(None, "/stats 7d")
    chart = await wei.expect(contains="最近 7 天")
    assert png_size(file_of(sim, chart)) == (1200, 900)
    assert "中文圈" in chart.content and "💬 消息：0" in chart.content
    await wei.send(None, "/stats 12d")
    await wei.expect(contains="用法：/stats")


async def test_members_get_admins_only_in_both_chats_and_nothing_is_sent(
    sim, runner, settings, group, carol, alice
) -> None:
    await alice.join(group)
    await alice.start()
    await alice.expect()
    async with stored(settings.storage.url) as repos:
        audit = await repos.audit.list(group.id)
    for text in ("/stats", "/stats 7d", "/export", "/export members"):
        for chat in (group, None):
            await alice.send(chat, text)
            await alice.expect(chat, contains=ONLY_ADMINS)
    sent = [m for m in sim.bot_messages(None, user=alice) + sim.bot_messages(group)
            if m.extra.get("photo") or m.extra.get("document")]
    assert sent == []
    async with stored(settings.storage.url) as repos:
        assert await repos.audit.list(group.id) == audit


async def test_export_sends_four_csv_files_in_private(sim, runner, settings, group, carol, alice) -> None:
    ming = sim.user("小明", username="xiaoming", language_code="zh-hans")
    for user in (alice, ming):
        await user.join(group)
    await ming.send(group, "大家好，我是小明，很高兴认识大家！")
    await alice.send(group, "Welcome, 小明!")
    await _wrote(sim, settings, 2)
    await carol.start()
    await carol.expect()
    await carol.send(None, "/export")
    documents = [await carol.expect(contains="rows") for _ in range(4)]
    names = [d.extra["document"]["file_name"] for d in documents]
    assert [n.split("-")[0] for n in names] == ["members", "payments", "ledger", "qa"]
    tables = {n.split("-")[0]: read_csv(file_of(sim, d)) for n, d in zip(names, documents, strict=True)}
    for kind, rows in tables.items():
        assert tuple(rows[0]) == HEADERS[kind]
    async with stored(settings.storage.url) as repos:
        members = await repos.memberships.count_active(group.id)
        ledger = await repos.conn.scalar(sa.text("SELECT COUNT(*) FROM points_ledger"))
        audit = [e.action for e in await repos.audit.list(group.id)]
    assert len(tables["members"]) - 1 == members == 3
    assert len(tables["ledger"]) - 1 == ledger > 0 and len(tables["payments"]) == 1 and len(tables["qa"]) == 1
    by_name = {r[1]: r for r in tables["members"][1:]}
    assert by_name["小明"][2] == "xiaoming" and by_name["小明"][9]  # last active: today
    assert "Python Circle" in documents[0].content and "3 rows" in documents[0].content
    assert audit.count("data.export") == 1
    before = len(sim.bot_messages(group))
    await carol.send(group, "/export members")
    await carol.expect(group, contains="Sent to you in private")
    one = await carol.expect(contains="rows")
    assert one.extra["document"]["file_name"].startswith("members-")
    assert [m.content for m in sim.bot_messages(group)[before:]] == ["📬 Sent to you in private."]
    await carol.send(None, "/export everything")
    await carol.expect(contains="Usage: /export")
