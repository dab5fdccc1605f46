"""Invite links (createChatInviteLink, joining through one) and the Bot API 10.2 `subscription` update."""

from __future__ import annotations

import asyncio

import pytest
import telegram
from telegram import LabeledPrice
from telegram.error import BadRequest

from tgsim import Simulator
from tgsim.errors import ScriptError
from tgsim.tests.test_sim_payments import answer_next_query

ALL = [*telegram.Update.ALL_TYPES, "subscription"]


async def test_invite_link_rules_follow_telegram(sim: Simulator, tg: telegram.Bot, drain, alice, carol) -> None:
    group = sim.group("Circle", carol)
    await group.add_bot(by=carol, admin=True, can_invite_users=False)
    with pytest.raises(BadRequest, match="(?i)not enough rights to manage chat invite link"):
        await tg.create_chat_invite_link(group.id)
    await group.set_bot_rights(can_invite_users=True)
    with pytest.raises(BadRequest, match="(?i)can't invite members to a private chat"):
        await tg.create_chat_invite_link(alice.id)
    with pytest.raises(BadRequest, match="(?i)member limit can't be specified for links requiring administrator"):
        await tg.create_chat_invite_link(group.id, member_limit=1, creates_join_request=True)
    with pytest.raises(BadRequest, match="(?i)expire_date_invalid"):
        await tg.create_chat_invite_link(group.id, expire_date=sim.now() - 10)
    with pytest.raises(BadRequest, match="(?i)usage_limit_invalid"):
        await tg.create_chat_invite_link(group.id, member_limit=100_000)
    link = await tg.create_chat_invite_link(group.id, name="x" * 40, member_limit=1)
    assert link.name == "x" * 32 and link.member_limit == 1 and link.invite_link.startswith("https://t.me/+")
    assert link.creator.id == sim.bot.id and not link.is_revoked


async def test_a_single_use_link_admits_one_and_names_itself_in_the_update(
    sim: Simulator, tg: telegram.Bot, drain, alice, bob, carol
) -> None:
    group = sim.group("Circle", carol)
    await group.add_bot(by=carol, admin=True)
    await drain(ALL)
    link = await tg.create_chat_invite_link(group.id, member_limit=1, name="Alice")
    await alice.join_by_link(link.invite_link)
    assert group.member(alice).status == "member"
    updates = await drain()
    joined = next(u.chat_member for u in updates if u.chat_member)
    assert joined.invite_link.invite_link == link.invite_link and joined.invite_link.member_limit == 1
    with pytest.raises(ScriptError, match="member limit"):
        await bob.join_by_link(link.invite_link)
    await tg.revoke_chat_invite_link(group.id, link.invite_link)
    with pytest.raises(ScriptError, match="INVITE_HASH_EXPIRED"):
        await bob.join_by_link(link.invite_link)


async def test_a_link_that_needs_approval_makes_a_join_request(
    sim: Simulator, tg: telegram.Bot, drain, alice, carol
) -> None:
    group = sim.group("Circle", carol)
    await group.add_bot(by=carol, admin=True)
    await drain(ALL)
    link = await tg.create_chat_invite_link(group.id, creates_join_request=True)
    await alice.join_by_link(link.invite_link)
    request = next(u.chat_join_request for u in await drain() if u.chat_join_request)
    assert request.invite_link.invite_link == link.invite_link and group.member(alice).status == "left"


async def test_subscription_updates_say_when_renewal_is_cancelled_restored_or_failed(
    sim: Simulator, tg: telegram.Bot, drain, alice
) -> None:
    await drain(ALL)
    link = await tg.create_invoice_link("Members", "30 days", "plan:1", "XTR", [LabeledPrice("Month", 300)],
                                        subscription_period=2592000)
    answering = asyncio.create_task(answer_next_query(tg, ok=True))
    assert (await alice.pay(link)).ok
    await answering
    await drain(ALL)  # the pre-checkout helper narrowed allowed_updates
    await alice.set_subscription("canceled")
    renewal = await sim.renew_subscription(alice)
    assert not renewal.ok and "cancelled" in (renewal.error_message or "")
    await alice.set_subscription("active")
    assert (await sim.renew_subscription(alice)).ok is False  # 200 Stars left: the renewal fails
    states = [u.api_kwargs["subscription"] for u in await drain() if "subscription" in u.api_kwargs]
    assert [s["state"] for s in states] == ["canceled", "active", "failed"]
    assert {s["invoice_payload"] for s in states} == {"plan:1"} and states[0]["user"]["id"] == alice.id
