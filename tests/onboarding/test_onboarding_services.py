"""The onboarding services against a fresh database: joins, gates, completion once, welcomes, migration."""

from __future__ import annotations

import pytest

from bot.clock import FakeClock
from bot.config import OnboardingConfig
from bot.services.community_options import do_set_option
from bot.services.gates import (
    do_claim_removal,
    do_finish_removal,
    do_release_removal,
    do_reset_warning,
    do_warn_admins_once,
    get_due_gates,
)
from bot.services.members import (
    do_migrate_community,
    do_queue_welcome,
    do_record_join_request,
    do_record_member,
    get_welcome_backlog,
    get_welcome_batch,
)
from bot.services.onboarding import (
    NotMember,
    do_accept_rules,
    do_choose_tag,
    do_finish_onboarding,
    do_open_onboarding,
)
from bot.services.profile import get_profile
from storage.db import Database

from tests.fixtures import ALICE, BOB, GROUP

C = GROUP.id


async def _join(db: Database, clock: FakeClock, defaults: OnboardingConfig, user=ALICE, **kwargs):
    return await do_record_member(db, clock, defaults, C, user, "member", False, **kwargs)


async def test_join_is_counted_once_and_queues_one_welcome(db, clock, defaults) -> None:
    first = await _join(db, clock, defaults)
    assert first.joined and not first.restrict
    again = await _join(db, clock, defaults)  # a duplicated update, or the service message after chat_member
    service = await _join(db, clock, defaults, exact=False)
    assert not again.joined and not service.joined
    batch = await get_welcome_batch(db, defaults, C)
    assert [u.id for u in batch.users] == [ALICE.id]


async def test_service_message_never_overwrites_a_finer_status(db, clock, defaults) -> None:
    await do_record_member(db, clock, defaults, C, ALICE, "restricted", False)
    await _join(db, clock, defaults, exact=False)
    async with db.read() as repos:
        assert (await repos.memberships.get(C, ALICE.id)).status == "restricted"


async def test_leaving_before_the_welcome_drops_it_and_rejoin_restores(db, clock, defaults) -> None:
    await _join(db, clock, defaults)
    left = await do_record_member(db, clock, defaults, C, ALICE, "left", False)
    assert left.left
    assert await get_welcome_batch(db, defaults, C) is None
    back = await _join(db, clock, defaults)
    assert back.joined


async def test_unknown_or_quiet_joins(db, clock, defaults) -> None:
    assert await do_record_member(db, clock, defaults, -100999, ALICE, "member", False) is None
    quiet = await _join(db, clock, defaults, announce=False)
    assert quiet.joined and await get_welcome_batch(db, defaults, C) is None


async def test_welcome_batch_is_queued_once(db, clock, defaults) -> None:
    await _join(db, clock, defaults)
    await _join(db, clock, defaults, user=BOB)
    batch = await get_welcome_batch(db, defaults, C)
    assert [u.first_name for u in batch.users] == ["Alice", "Bob"]
    assert await get_welcome_backlog(db) == [C]
    assert await do_queue_welcome(db, clock, defaults, C) == 2
    assert await do_queue_welcome(db, clock, defaults, C) == 0
    assert await get_welcome_batch(db, defaults, C) is None and await get_welcome_backlog(db) == []


async def test_rules_gate_deadline_accept_and_removal(db, clock, defaults) -> None:
    await do_set_option(db, clock, C, 1, "gate", "rules")
    assert (await _join(db, clock, defaults)).restrict
    assert (await _join(db, clock, defaults, user=BOB)).restrict
    clock.advance(minutes=9)
    assert await get_due_gates(db, clock) == []
    await do_open_onboarding(db, clock, defaults, C, ALICE.id)
    view = await do_accept_rules(db, clock, defaults, C, ALICE.id)
    assert view.unrestrict and view.state.gate_deadline is None
    clock.advance(minutes=2)
    assert await get_due_gates(db, clock) == [(C, BOB.id)]
    assert not await do_claim_removal(db, clock, C, ALICE.id)
    assert await do_claim_removal(db, clock, C, BOB.id)
    await do_release_removal(db, clock, C, BOB.id)  # Telegram failed for a moment
    assert await get_due_gates(db, clock) == [(C, BOB.id)]
    assert await do_claim_removal(db, clock, C, BOB.id)
    await do_finish_removal(db, clock, C, BOB.id, removed=True)
    assert await get_due_gates(db, clock) == []
    async with db.read() as repos:
        assert (await repos.memberships.get(C, BOB.id)).status == "left"


async def test_leaving_while_gated_stops_the_timer_but_keeps_the_restriction(db, clock, defaults) -> None:
    await do_set_option(db, clock, C, 1, "gate", "rules")
    await _join(db, clock, defaults)
    await do_record_member(db, clock, defaults, C, ALICE, "left", False)
    clock.advance(hours=1)
    assert await get_due_gates(db, clock) == []
    rejoined = await _join(db, clock, defaults)
    assert rejoined.restrict


async def test_completion_is_credited_once_and_survives_rejoin(db, clock, defaults) -> None:
    await do_set_option(db, clock, C, 1, "tags", "Rust, Go, Zig")
    await _join(db, clock, defaults)
    view = await do_open_onboarding(db, clock, defaults, C, ALICE.id)
    assert view.state.step == "rules"
    assert (await do_finish_onboarding(db, clock, defaults, C, ALICE.id)).state.step == "rules"  # out of order
    view = await do_accept_rules(db, clock, defaults, C, ALICE.id)
    assert view.state.step == "survey" and not (await do_accept_rules(db, clock, defaults, C, ALICE.id)).completed_now
    await do_choose_tag(db, clock, defaults, C, ALICE.id, 2, True)
    await do_choose_tag(db, clock, defaults, C, ALICE.id, 0, True)
    await do_choose_tag(db, clock, defaults, C, ALICE.id, 0, True)  # repeated: no toggle back
    await do_choose_tag(db, clock, defaults, C, ALICE.id, 7, True)  # no such tag: ignored
    view = await do_finish_onboarding(db, clock, defaults, C, ALICE.id)
    assert view.completed_now and view.state.tags == ["Rust", "Zig"]
    assert not (await do_finish_onboarding(db, clock, defaults, C, ALICE.id)).completed_now
    await do_record_member(db, clock, defaults, C, ALICE, "left", False)
    await _join(db, clock, defaults)
    [entry] = await get_profile(db, ALICE.id)
    assert entry.next_step == "done" and entry.tags == ["Rust", "Zig"]


async def test_onboarding_needs_membership(db, clock, defaults) -> None:
    with pytest.raises(NotMember) as caught:
        await do_open_onboarding(db, clock, defaults, C, ALICE.id)
    assert caught.value.params["title"] == "Rust Circle"


async def test_join_request_gate(db, clock, defaults) -> None:
    assert await do_record_join_request(db, clock, defaults, C, ALICE) is None  # gate off: admins decide
    await do_set_option(db, clock, C, 1, "gate", "request")
    first = await do_record_join_request(db, clock, defaults, C, ALICE)
    assert first.notify and not first.approve
    assert not (await do_record_join_request(db, clock, defaults, C, ALICE)).notify  # delivered twice
    view = await do_accept_rules(db, clock, defaults, C, ALICE.id)  # no tags: done at once
    assert view.completed_now and view.approve
    # Approved and joined: the gate is gone; a later request (after leaving) is approved at once.
    await _join(db, clock, defaults)
    await do_record_member(db, clock, defaults, C, ALICE, "left", False)
    assert (await do_record_join_request(db, clock, defaults, C, ALICE)).approve


async def test_admins_are_warned_once_until_reset(db, clock) -> None:
    assert await do_warn_admins_once(db, clock, C, "rules")
    assert not await do_warn_admins_once(db, clock, C, "rules")
    await do_reset_warning(db, C)
    assert await do_warn_admins_once(db, clock, C, "rules")


async def test_migration_moves_onboarding_and_pending_welcomes(db, clock, defaults) -> None:
    await do_set_option(db, clock, C, 1, "tags", "Rust")
    await _join(db, clock, defaults)
    await _join(db, clock, defaults, user=BOB)
    await do_accept_rules(db, clock, defaults, C, ALICE.id)
    new_id = -1009999999999
    assert await do_migrate_community(db, clock, C, new_id)
    assert not await do_migrate_community(db, clock, C, new_id)  # the other service message
    [entry] = [e for e in await get_profile(db, ALICE.id)]
    assert entry.community.id == new_id and entry.next_step == "survey"
    batch = await get_welcome_batch(db, defaults, new_id)
    assert [u.id for u in batch.users] == [ALICE.id, BOB.id]
    assert await get_welcome_batch(db, defaults, C) is None
