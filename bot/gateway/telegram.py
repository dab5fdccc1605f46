"""Bot API side effects beyond the reply to the current update, with Telegram's errors made domain results.

Restrict, lift, approve, remove (ban + unban), plan offers to requesters, rejoin links, admin lists,
refunds, notices and item deliveries all go through here; handlers and jobs call it,
services never import telegram.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable
from functools import partial

from telegram import Bot, ChatMember, ChatPermissions, InlineKeyboardMarkup
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.clock import Clock
from bot.gateway import errors
from bot.gateway.bot import NO_RETRIES
from bot.gateway.delivery import item_sender
from bot.i18n import Translator
from bot.services.admins import AdminInfo
from bot.services.communities import get_community
from bot.services.expiry import REJOIN_LINK_TTL, do_queue_rejoin
from bot.services.gates import do_warn_admins_once
from bot.services.members import do_clear_gate
from bot.services.notices import private_language
from bot.services.plans import get_join_offer, get_trial_taken
from bot.services.refunds import RefundFailed
from bot.views.base import Rendered
from bot.views.content import plan_button, trial_button
from storage.db import Database
from storage.models_content import ContentItem, Plan

log = logging.getLogger(__name__)

# What the bot needs for each gate: the admin right (and for `rules` a supergroup).
GATE_RIGHTS = {"rules": "can_restrict_members", "request": "can_invite_users"}
# Why a gate can't run here → what the admin is told.
GATE_PROBLEMS = {"supergroup": "gate.needs_supergroup", "rules": "gate.warn.rules", "request": "gate.warn.request"}


class Gateway:
    """The bot's hands in Telegram, for everything that is not a direct reply."""

    def __init__(self, bot: Bot, db: Database, clock: Clock, t: Translator) -> None:
        self.bot = bot
        self._db = db
        self._clock = clock
        self._t = t
        self.send_item = item_sender(bot, t)

    async def send_notice(self, chat_id: int, rendered: Rendered, paid: bool = False) -> None:
        """Send a rendered outbox notice (errors, RetryAfter included, are the sender's to sort)."""
        await self.bot.send_message(
            chat_id,
            rendered.text,
            reply_markup=rendered.markup,
            allow_paid_broadcast=True if paid else None,
            rate_limit_args=NO_RETRIES,  # the outbox waits out a 429 itself, without holding the row
        )

    async def fetch_admins(self, chat_id: int) -> list[AdminInfo] | None:
        """Return the group's administrators as Telegram lists them; None when Telegram can't say."""
        try:
            members = await self.bot.get_chat_administrators(chat_id)
        except TelegramError as exc:
            log.warning("could not fetch admins of chat %s: %s", chat_id, exc)
            return None
        return [
            AdminInfo(m.user.id, m.user.first_name, m.user.last_name, m.user.username, m.user.is_bot) for m in members
        ]

    async def warn_admins(self, chat_id: int, gate: str) -> None:
        """Tell the group's admins (once until the gate or the bot's rights change) that a gate can't work."""
        await do_warn_admins_once(self._db, self._clock, chat_id, gate)

    async def restrict_newcomer(self, chat_id: int, user_id: int) -> bool:
        """Mute a newcomer until they accept the rules; warn the admins when the bot may not."""
        return await self._set_permissions(chat_id, user_id, ChatPermissions.no_permissions()) is True

    async def lift_restriction(self, chat_id: int, user_id: int) -> bool:
        """Give a member who accepted the rules their rights back."""
        # Telegram: pass True for every permission to lift a restriction. Failing for now, the
        # member stays marked restricted and their next /start or button press tries again.
        if await self._set_permissions(chat_id, user_id, ChatPermissions.all_permissions()) is not True:
            return False
        await do_clear_gate(self._db, self._clock, chat_id, user_id, "restricted")
        return True

    async def _set_permissions(self, chat_id: int, user_id: int, permissions: ChatPermissions) -> bool | None:
        """Restrict a member: True done, False refused (admins warned if the bot lacks the right), None for now."""
        return await self._moderate(chat_id, user_id, "change the permissions of",
                                    self.bot.restrict_chat_member(chat_id, user_id, permissions))

    async def _moderate(self, chat_id: int, user_id: int, what: str, action: Awaitable[object]) -> bool | None:
        """Run a rules-gate action on a member: True done, False refused (admins warned when a right is
        missing), None failed for now (network, flood control)."""
        try:
            await action
        except (BadRequest, Forbidden) as exc:
            log.warning("cannot %s %s in %s: %s", what, user_id, chat_id, exc)
            if errors.lacks_rights(exc):
                await self.warn_admins(chat_id, "rules")
            return False
        except TelegramError as exc:
            log.warning("could not %s %s in %s for now: %s", what, user_id, chat_id, exc)
            return None
        return True

    async def admit(self, chat_id: int, user_id: int) -> bool:
        """Approve a join request after onboarding, or offer the plans first when approval waits for one."""
        plans = await get_join_offer(self._db, chat_id, user_id, self._clock.now())
        if plans is not None:
            await self._offer_plans(chat_id, user_id, plans)
            return False
        try:
            await self.bot.approve_chat_join_request(chat_id, user_id)
        except BadRequest as exc:
            if not errors.request_gone(exc):
                log.warning("cannot approve %s in %s: %s", user_id, chat_id, exc)
                if errors.lacks_rights(exc):
                    await self.warn_admins(chat_id, "request")
                return False
            log.info("join request of %s in %s is gone: %s", user_id, chat_id, exc)
        except TelegramError as exc:
            log.warning("approving %s in %s failed for now: %s", user_id, chat_id, exc)
            return False
        await do_clear_gate(self._db, self._clock, chat_id, user_id, "request")
        return True

    async def _offer_plans(self, chat_id: int, user_id: int, plans: list[Plan]) -> None:
        async with self._db.read() as repos:
            lang = await private_language(repos, user_id, chat_id)
        community = await get_community(self._db, chat_id)
        say = partial(self._t, lang)
        rows = [[plan_button(say, plan)] for plan in plans]
        if not await get_trial_taken(self._db, chat_id, user_id):
            rows += [[trial_button(say, plan)] for plan in plans if plan.trial_days]
        markup = InlineKeyboardMarkup(rows)
        text = say("join.needs_plan", title=community.title if community else "")
        try:
            # A requester may be written to even before they start the bot (Telegram allows it).
            await self.bot.send_message(user_id, text, reply_markup=markup)
        except TelegramError as exc:
            log.info("could not offer plans to requester %s of %s: %s", user_id, chat_id, exc)

    async def remove_member(self, chat_id: int, user_id: int) -> bool | None:
        """Remove someone without barring a rejoin: True done, False impossible, None failed for now."""
        return await self._moderate(chat_id, user_id, "remove", self._ban_and_unban(chat_id, user_id))

    async def _ban_and_unban(self, chat_id: int, user_id: int) -> None:
        await self.bot.ban_chat_member(chat_id, user_id)
        await self.bot.unban_chat_member(chat_id, user_id, only_if_banned=True)

    async def invite_back(self, chat_id: int, user_id: int, key: str) -> None:
        """Send a member who renewed after being removed a single-use link back into the group."""
        now = self._clock.now()
        try:
            invite = await self.bot.create_chat_invite_link(
                chat_id, name=f"rejoin {user_id}", member_limit=1, expire_date=now + REJOIN_LINK_TTL
            )
            link: str | None = invite.invite_link
        except TelegramError as exc:
            # Without the right to invite, the member can still ask to join: the request is approved.
            log.warning("cannot make a rejoin link for %s in %s: %s", user_id, chat_id, exc)
            link = None
        await do_queue_rejoin(self._db, self._clock, chat_id, user_id, key, link)

    async def create_member_link(self, chat_id: int, name: str, creates_join_request: bool) -> str | None:
        """Make a member's personal invite link to the group; None when Telegram refuses (the bot lacks the right)."""
        try:
            invite = await self.bot.create_chat_invite_link(
                chat_id, name=name, creates_join_request=True if creates_join_request else None
            )
        except TelegramError as exc:
            log.warning("cannot make an invite link in %s: %s", chat_id, exc)
            return None
        return invite.invite_link

    async def missing_gate_right(self, chat_id: int, chat_type: str, gate: str) -> str | None:
        """Return the message key explaining why the bot can't run this gate here, or None."""
        right = GATE_RIGHTS.get(gate)
        if right is None:
            return None
        if gate == "rules" and chat_type != "supergroup":
            return GATE_PROBLEMS["supergroup"]
        try:
            me = await self.bot.get_chat_member(chat_id, self.bot.id)
        except TelegramError as exc:
            log.warning("cannot check the bot's rights in %s: %s", chat_id, exc)
            return None
        has = me.status == ChatMember.OWNER or (me.status == ChatMember.ADMINISTRATOR and getattr(me, right, False))
        return None if has else GATE_PROBLEMS[gate]

    async def refund(self, user_id: int, charge_id: str) -> None:
        """Refund a Stars payment; an earlier refund counts as done, anything else raises RefundFailed."""
        try:
            await self.bot.refund_star_payment(user_id, charge_id)
        except BadRequest as exc:
            if errors.already_refunded(exc):
                return
            log.warning("refund of charge %s refused: %s", charge_id, exc.message)
            raise RefundFailed(error=exc.message) from exc
        except TelegramError as exc:
            log.warning("refund of charge %s failed: %s", charge_id, exc)
            raise RefundFailed(error=str(exc)) from exc

    async def deliver_item(self, item: ContentItem, chat_id: int, lang: str) -> None:
        """Send an item's content to a private chat (raises Telegram's errors)."""
        await self.send_item(item, chat_id, lang)
