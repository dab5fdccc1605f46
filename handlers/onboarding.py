"""Private onboarding: the /start join_<id> deep link, the step messages and their buttons."""

from __future__ import annotations

import html
import logging
import re
from dataclasses import dataclass
from typing import Literal

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, User
from telegram.error import BadRequest, TelegramError
from telegram.ext import BaseHandler, CallbackQueryHandler, ChatJoinRequestHandler

from bot.context import CustomContext
from bot.i18n import Raw
from bot.links import JOIN, StartPayload
from bot.numbers import parse_chat_id
from bot.services.members import do_record_join_request, do_record_member
from bot.services.onboarding import (
    NotMember,
    OnboardingView,
    do_accept_rules,
    do_choose_tag,
    do_finish_onboarding,
    do_open_onboarding,
)
from bot.services.points_rules import Scoring
from bot.services.profile import ProfileEntry, get_profile, next_unfinished
from bot.services.settings import pick_language
from bot.views.base import listing
from handlers.common import as_user, is_admin, is_group, is_present, load_community, member_status
from storage.models import Community

log = logging.getLogger(__name__)

Action = Literal["accept", "tag", "done"]
_CODES: dict[Action, str] = {"accept": "a", "tag": "t", "done": "d"}
_ACTIONS = {code: action for action, code in _CODES.items()}
_DATA = re.compile(r"^onb:([ad]):(-?\d{1,20})$|^onb:t:(-?\d{1,20}):(\d{1,3}):([01])$")
TAGS_PER_ROW = 2


@dataclass(frozen=True)
class Press:
    """An onboarding button: what it does, in which community, and for `tag` which one and how."""

    action: Action
    community_id: int
    index: int = 0
    chosen: bool = False

    def encode(self) -> str:
        """Return the callback_data (at most 64 bytes)."""
        if self.action == "tag":
            return f"onb:t:{self.community_id}:{self.index}:{int(self.chosen)}"
        return f"onb:{_CODES[self.action]}:{self.community_id}"

    @classmethod
    def decode(cls, data: str | None) -> Press | None:
        """Parse callback_data; None when it is not a well-formed onboarding button."""
        match = _DATA.match(data or "")
        if match is None:
            return None
        code, community, tag_community, index, chosen = match.groups()
        community_id = parse_chat_id(community if code is not None else tag_community)
        if community_id is None:
            return None
        if code is not None:
            return cls(_ACTIONS[code], community_id)
        return cls("tag", community_id, int(index), chosen == "1")


def _scoring(context: CustomContext) -> Scoring:
    return context.services.scoring


def _use_language(context: CustomContext, user: User, community: Community) -> None:
    context.lang = pick_language(context.language_preference, user.language_code, community.language)


def render_step(context: CustomContext, view: OnboardingView) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return the text and buttons of the member's current onboarding step."""
    title, state, options = view.community.title, view.state, view.options
    community_id = view.community.id
    if state.step == "rules":
        rules = html.escape(options.rules, quote=False) if options.rules else context.t("onb.rules.default")
        text = context.t("onb.rules", title=title) + "\n\n" + rules
        button = InlineKeyboardButton(context.t("onb.accept"), callback_data=Press("accept", community_id).encode())
        return text, InlineKeyboardMarkup([[button]])
    if state.step == "survey":
        text = context.t("onb.survey", title=title)
        if state.gate == "restricted":
            text = context.t("onb.unmuted") + "\n\n" + text
        buttons = []
        for index, tag in enumerate(options.tags):
            picked = tag in state.tags
            label = ("✅ " if picked else "▫️ ") + tag
            data = Press("tag", community_id, index, not picked).encode()
            buttons.append(InlineKeyboardButton(label, callback_data=data))
        rows = [buttons[i : i + TAGS_PER_ROW] for i in range(0, len(buttons), TAGS_PER_ROW)]
        rows.append([InlineKeyboardButton(context.t("onb.finish"), callback_data=Press("done", community_id).encode())])
        return text, InlineKeyboardMarkup(rows)
    lines = [context.t("onb.complete", title=title)]
    if state.tags:
        lines.append(context.t("onb.interests", tags=listing(context, state.tags)))
    if view.points:
        lines.append(context.t("onb.points", points=view.points, count=view.points))
    if view.approve:
        lines.append(context.t("onb.approving"))
    lines.append(context.t("onb.me_hint"))
    return "\n".join(lines), None


async def open_gates(context: CustomContext, view: OnboardingView, user_id: int) -> None:
    """Do in Telegram what the onboarding state asks for: lift a restriction, approve a request."""
    if view.unrestrict:
        await context.services.gateway.lift_restriction(view.community.id, user_id)
    if view.approve:
        await context.services.gateway.admit(view.community.id, user_id)


async def _sync_membership(context: CustomContext, chat_id: int, user: User) -> bool:
    """Ask Telegram whether the user is in the group (they may predate the bot); record it if so."""
    try:
        member = await context.bot.get_chat_member(chat_id, user.id)
    except TelegramError as exc:
        log.info("cannot check %s in %s: %s", user.id, chat_id, exc)
        return False
    if not is_present(member):
        return False
    settings = context.settings.onboarding
    change = await do_record_member(
        context.db, context.clock, settings, chat_id, as_user(user), member_status(member), is_admin(member),
        announce=False,
    )
    return change is not None


async def open_join_link(update: Update, context: CustomContext, payload: StartPayload) -> None:
    """Answer /start join_<id>: the member's current step (rules, survey or their profile)."""
    community_id = payload.id or 0
    user = update.effective_user
    settings = context.settings.onboarding
    try:
        view = await do_open_onboarding(context.db, context.clock, settings, community_id, user.id)
    except NotMember:
        if not await _sync_membership(context, community_id, user):
            raise
        view = await do_open_onboarding(context.db, context.clock, settings, community_id, user.id)
    await send_step(context, update.effective_chat.id, user, view)


async def send_step(context: CustomContext, chat_id: int, user: User, view: OnboardingView) -> None:
    """Send the member's current onboarding step as a new message."""
    _use_language(context, user, view.community)
    text, markup = render_step(context, view)
    await context.bot.send_message(chat_id, text, reply_markup=markup)
    await open_gates(context, view, user.id)


async def open_for_request(context: CustomContext, chat_id: int, user_chat_id: int, user: User) -> None:
    """Send a join requester their first onboarding step in private (Telegram allows it while pending)."""
    view = await do_open_onboarding(context.db, context.clock, context.settings.onboarding, chat_id, user.id)
    try:
        await send_step(context, user_chat_id, user, view)
    except TelegramError as exc:
        log.warning("cannot send onboarding to requester %s: %s", user.id, exc)


# What the /start overview says of each community, by the member's next onboarding step.
STEP_TEXTS = {"rules": "start.step.rules", "survey": "start.step.survey", "done": "start.step.done"}


def _step_key(entry: ProfileEntry) -> str:
    if entry.membership.is_admin:
        return "start.step.admin"
    if entry.membership.status == "pending" and entry.next_step == "done":
        return "start.step.pending"
    return STEP_TEXTS[entry.next_step]


async def show_overview(update: Update, context: CustomContext) -> None:
    """Answer a plain /start: the user's communities with their next step, then resume one."""
    user = update.effective_user
    entries = await get_profile(context.db, user.id)
    if not entries:
        await update.effective_message.reply_text(
            context.t("start.private.none", name=user.first_name)
        )
        return
    lines = [context.t("start.private.list", name=user.first_name)]
    for entry in entries:
        step = Raw(context.t(_step_key(entry)))
        lines.append(context.t("start.private.item", title=entry.community.title, step=step))
    await update.effective_message.reply_text("\n".join(lines))
    resume = next_unfinished([e for e in entries if not e.membership.is_admin])
    if resume is not None:
        await open_join_link(update, context, StartPayload(JOIN, resume.community.id))


async def press_button(update: Update, context: CustomContext) -> None:
    """Handle an onboarding button: accept the rules, toggle an interest, finish the survey."""
    query = update.callback_query
    press = Press.decode(query.data)
    if press is None or is_group(update):  # onboarding steps only exist in the member's private chat
        await load_community(update, context)  # a copy forwarded to a group: answer in its language
        await query.answer(context.t("onb.expired"), show_alert=True)
        return
    user_id, settings = update.effective_user.id, context.settings.onboarding
    db, clock = context.db, context.clock
    if press.action == "accept":
        view = await do_accept_rules(db, clock, settings, press.community_id, user_id, _scoring(context))
    elif press.action == "tag":
        view = await do_choose_tag(db, clock, settings, press.community_id, user_id, press.index, press.chosen)
    else:
        view = await do_finish_onboarding(db, clock, settings, press.community_id, user_id, _scoring(context))
    _use_language(context, update.effective_user, view.community)
    text, markup = render_step(context, view)
    try:
        await query.answer()
    except BadRequest as exc:
        # A duplicated update carries a query Telegram already answered; the work above is idempotent.
        log.info("callback query %s not answered: %s", query.id, exc)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except BadRequest as exc:
        # A repeated press (or a duplicated update) leaves the message as it was.
        if "not modified" not in exc.message:
            raise
    await open_gates(context, view, user_id)


async def join_requested(update: Update, context: CustomContext) -> None:
    """Under gate=request: approve members who finished onboarding, send the others its first step."""
    request = update.chat_join_request
    chat_id, user = request.chat.id, request.from_user
    result = await do_record_join_request(
        context.db, context.clock, context.settings.onboarding, chat_id, as_user(user),
        invite_url=request.invite_link.invite_link if request.invite_link else None,
    )
    if result is None:
        return
    if result.approve:
        await context.services.gateway.admit(chat_id, user.id)
    elif result.notify:
        await open_for_request(context, chat_id, request.user_chat_id, user)


START_ROUTES = {JOIN: open_join_link}


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers (its /start routes are START_ROUTES)."""
    return [CallbackQueryHandler(press_button, pattern=r"^onb:"), ChatJoinRequestHandler(join_requested)]
