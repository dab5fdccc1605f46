"""The Telegram side of gates: restrict, lift, remove, approve, and tell admins once when we can't."""

from __future__ import annotations

import logging

from telegram import ChatMember, ChatPermissions
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.context import CustomContext
from bot.services.communities import get_community
from bot.services.gates import do_warn_admins_once
from bot.services.members import do_clear_gate
from handlers.join_plans import plan_pending

log = logging.getLogger(__name__)

# What the bot needs for each gate: the admin right, and for `rules` a supergroup.
GATE_RIGHTS = {"rules": "can_restrict_members", "request": "can_invite_users"}
# Join requests that are gone already: the person joined, or someone else decided.
REQUEST_GONE = ("USER_ALREADY_PARTICIPANT", "HIDE_REQUESTER_MISSING")
# Errors that mean the bot lacks a right (or the chat kind) a gate needs, as opposed to a
# problem with one person (an admin cannot be restricted, an unknown user id).
_RIGHTS_PROBLEMS = ("rights", "CHAT_ADMIN_REQUIRED", "supergroup", "not a member", "kicked")


def lacks_rights(exc: TelegramError) -> bool:
    """Tell whether a failed gate action means the bot lacks what the gate needs."""
    return isinstance(exc, Forbidden) or any(marker in exc.message for marker in _RIGHTS_PROBLEMS)


async def warn_admins(context: CustomContext, chat_id: int, gate: str) -> None:
    """Tell the group's admins (once until the gate or the bot's rights change) that a gate can't work."""
    community = await get_community(context.db, chat_id)
    if community is None:
        return
    text = context.state.t(community.language, f"gate.warn.{gate}")
    if await do_warn_admins_once(context.db, context.clock, chat_id, text):
        await context.state.outbox.drain()


async def restrict_newcomer(context: CustomContext, chat_id: int, user_id: int) -> bool:
    """Mute a newcomer until they accept the rules; warn the admins when the bot may not."""
    try:
        await context.bot.restrict_chat_member(chat_id, user_id, ChatPermissions.no_permissions())
    except (BadRequest, Forbidden) as exc:
        log.warning("cannot restrict %s in %s: %s", user_id, chat_id, exc)
        if lacks_rights(exc):
            await warn_admins(context, chat_id, "rules")
        return False
    return True


async def lift_restriction(context: CustomContext, chat_id: int, user_id: int) -> bool:
    """Give a member who accepted the rules their rights back."""
    try:
        # Telegram: pass True for every permission to lift a restriction.
        await context.bot.restrict_chat_member(chat_id, user_id, ChatPermissions.all_permissions())
    except (BadRequest, Forbidden) as exc:
        log.warning("cannot lift the restriction of %s in %s: %s", user_id, chat_id, exc)
        if lacks_rights(exc):
            await warn_admins(context, chat_id, "rules")
        return False
    except TelegramError as exc:
        # Stays marked restricted: the member's next /start or button press tries again.
        log.warning("lifting the restriction of %s in %s failed for now: %s", user_id, chat_id, exc)
        return False
    await do_clear_gate(context.db, context.clock, chat_id, user_id, "restricted")
    return True


async def approve_request(context: CustomContext, chat_id: int, user_id: int) -> bool:
    """Approve a join request after onboarding; a request that is gone already is forgotten."""
    if await plan_pending(context, chat_id, user_id):
        # The community sells plans: approval waits for one (the payment approves it).
        return False
    try:
        await context.bot.approve_chat_join_request(chat_id, user_id)
    except BadRequest as exc:
        if not any(marker in exc.message for marker in REQUEST_GONE):
            log.warning("cannot approve %s in %s: %s", user_id, chat_id, exc)
            if lacks_rights(exc):
                await warn_admins(context, chat_id, "request")
            return False
        log.info("join request of %s in %s is gone: %s", user_id, chat_id, exc)
    except TelegramError as exc:
        log.warning("approving %s in %s failed for now: %s", user_id, chat_id, exc)
        return False
    await do_clear_gate(context.db, context.clock, chat_id, user_id, "request")
    return True


async def missing_gate_right(context: CustomContext, chat_id: int, chat_type: str, gate: str) -> str | None:
    """Return the message key explaining why the bot can't run this gate here, or None."""
    right = GATE_RIGHTS.get(gate)
    if right is None:
        return None
    if gate == "rules" and chat_type != "supergroup":
        return "gate.needs_supergroup"
    try:
        me = await context.bot.get_chat_member(chat_id, context.bot.id)
    except TelegramError as exc:
        log.warning("cannot check the bot's rights in %s: %s", chat_id, exc)
        return None
    has = me.status == ChatMember.OWNER or (me.status == ChatMember.ADMINISTRATOR and getattr(me, right, False))
    return None if has else f"gate.warn.{gate}"
