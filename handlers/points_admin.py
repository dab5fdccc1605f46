"""/award and /deduct: admins give or take points, by @username or as a reply; audited."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from telegram import Message, MessageEntity, Update, User
from telegram.ext import BaseHandler

from bot.context import CustomContext
from bot.errors import Usage
from bot.services.communities import UserInfo
from bot.services.points_admin import Adjustment, do_adjust_points, get_member_id
from handlers.common import as_user, command, is_group, reply
from handlers.console import console_community

MAX_AMOUNT = 100_000
MAX_REASON = 200
USERNAME = re.compile(r"^@([A-Za-z][A-Za-z0-9_]{2,31})$")


@dataclass(frozen=True)
class AdjustArgs:
    """Parsed `/award [@user] N reason`: username None means the replied-to or mentioned member."""

    username: str | None
    amount: int
    reason: str


def parse_adjust(args: Sequence[str], *, has_target: bool) -> AdjustArgs | None:
    """Parse `[@user] N reason…`; None when anything is missing or malformed."""
    rest = list(args)
    username = None
    if rest and rest[0].startswith("@"):
        match = USERNAME.match(rest.pop(0))
        if match is None:
            return None
        username = match.group(1)
    elif not has_target:
        return None
    if not rest or not re.fullmatch(r"[0-9]{1,7}", rest[0]):
        return None
    amount = int(rest[0])
    reason = " ".join(rest[1:]).strip()
    if not 1 <= amount <= MAX_AMOUNT or not reason or len(reason) > MAX_REASON:
        return None
    return AdjustArgs(username, amount, reason)


def _person(user: User | None) -> UserInfo | None:
    return as_user(user) if user is not None else None


def _target(message: Message, args: list[str]) -> tuple[UserInfo | None, list[str]]:
    """Return the member named by a text mention (and the words after it) or by the reply."""
    for entity, text in message.parse_entities([MessageEntity.TEXT_MENTION]).items():
        after = (message.text or "")[entity.offset + entity.length :]
        return _person(entity.user), after.split()
    replied = message.reply_to_message
    if replied is not None and replied.sender_chat is None and not replied.forum_topic_created:
        return _person(replied.from_user), args
    return None, args


# Usage and confirmation texts of /award and /deduct.
_TEXTS = {1: ("award.usage", "award.done"), -1: ("deduct.usage", "deduct.done")}


async def _adjust(update: Update, context: CustomContext, sign: int) -> None:
    usage, done = _TEXTS[sign]
    community = await console_community(update, context)
    message = update.effective_message
    target, args = _target(message, list(context.args))
    parsed = parse_adjust(args, has_target=target is not None)
    if parsed is None:
        raise Usage(usage)
    if parsed.username is not None:
        who: int | UserInfo = await get_member_id(context.db, community.id, parsed.username)
        shown = f"@{parsed.username}"
    else:
        assert target is not None  # parse_adjust wants a username when there is no target
        who, shown = target, target.first_name
    adjustment = Adjustment(
        community.id, update.effective_user.id, who, sign * parsed.amount, parsed.reason,
        # Message ids count per chat: in private the admin's chat is part of the key.
        key=f"admin:{community.id}:{message.message_id}" if is_group(update)
        else f"admin:{community.id}:{message.chat_id}:{message.message_id}",
    )
    award = await do_adjust_points(context.db, context.services.scoring, context.clock, adjustment)
    if not award.applied:
        return  # the same command delivered again
    await reply(update, context, done, name=shown, amount=parsed.amount, reason=parsed.reason,
                balance=award.balance, count=parsed.amount)


async def award(update: Update, context: CustomContext) -> None:
    """Give a member points: /award @user N reason, or as a reply /award N reason."""
    await _adjust(update, context, 1)


async def deduct(update: Update, context: CustomContext) -> None:
    """Take points from a member: /deduct @user N reason, or as a reply /deduct N reason."""
    await _adjust(update, context, -1)


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [
        # No chat filter: in private they work on the admin's picked community (by @username).
        command("award", award),
        command("deduct", deduct),
    ]
