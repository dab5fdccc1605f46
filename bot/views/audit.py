"""/audit as admins read it: who did what, when, to whom; paged with buttons."""

from __future__ import annotations

import re
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.i18n import Raw
from bot.schedule import local_now
from bot.services.audit import PAGE, AuditPage
from bot.views.base import Texts
from storage.models import AuditEntry

PAGE_DATA = "au"  # callback data: au:<community>:<offset>
PAGE_PATTERN = re.compile(rf"^{PAGE_DATA}:(-?\d{{1,20}}):(\d{{1,9}})$")
# What each action is called; an action missing here is shown by its code.
ACTIONS = {
    "plan.add": "audit.action.plan_add", "plan.delete": "audit.action.plan_delete",
    "payment.refund": "audit.action.refund", "faq.add": "audit.action.faq_add", "faq.delete": "audit.action.faq_delete",
    "coupon.add": "audit.action.coupon_add", "coupon.delete": "audit.action.coupon_delete",
    "content.publish": "audit.action.publish", "content.unpublish": "audit.action.unpublish",
    "content.price": "audit.action.price", "question.accept": "audit.action.accept",
    "question.close": "audit.action.close", "points.admin_award": "audit.action.award",
    "points.admin_deduct": "audit.action.deduct", "broadcast.send": "audit.action.broadcast",
    "broadcast.cancel": "audit.action.broadcast_cancel",
    "data.export": "audit.action.export",
    "paid_question.answer": "audit.action.paid_answer", "paid_question.decline": "audit.action.paid_decline",
}
SETTING_PREFIX = "set."
DETAIL_CHARS = 40
SHOWN_DETAILS = ("value", "item", "plan", "stars", "amount", "number", "question", "reason", "recipients")


def _what(t: Texts, entry: AuditEntry) -> str:
    if entry.action.startswith(SETTING_PREFIX):
        return t.t("audit.action.set", name=entry.action.removeprefix(SETTING_PREFIX))
    key = ACTIONS.get(entry.action)
    return t.t(key) if key else entry.action


def _details(details: dict[str, Any] | None) -> str:
    """The details worth a glance, each on one line and cut to DETAIL_CHARS."""
    shown = []
    for key in SHOWN_DETAILS:
        value = (details or {}).get(key)
        if value in (None, ""):
            continue
        text = " ".join(str(value).split())
        shown.append(f"{key}={text[:DETAIL_CHARS - 1] + '…' if len(text) > DETAIL_CHARS else text}")
    return ", ".join(shown)


def audit_text(t: Texts, title: str, page: AuditPage, timezone: str) -> str:
    """The page: a title, then one line per action, newest first."""
    if not page.entries:
        return t.t("audit.empty", title=title)
    lines = [t.t("audit.title", title=title, first=page.offset + 1, last=page.offset + len(page.entries),
                 total=page.total)]
    for entry in page.entries:
        target = page.names.get(entry.target_user_id, str(entry.target_user_id)) if entry.target_user_id else ""
        lines.append(t.t(
            "audit.line", when=local_now(entry.created_at, timezone).strftime("%Y-%m-%d %H:%M"),
            actor=page.names.get(entry.actor_id, str(entry.actor_id)), what=Raw(_what(t, entry)),
            target=target, details=_details(entry.details),
        ))
    return "\n".join(lines)


def audit_markup(t: Texts, community_id: int, page: AuditPage) -> InlineKeyboardMarkup | None:
    """Newer / Older buttons, where there is something to turn to."""
    row = []
    if page.offset > 0:
        row.append(InlineKeyboardButton(t.t("audit.btn.newer"),
                                        callback_data=f"{PAGE_DATA}:{community_id}:{max(page.offset - PAGE, 0)}"))
    if page.has_older:
        row.append(InlineKeyboardButton(t.t("audit.btn.older"),
                                        callback_data=f"{PAGE_DATA}:{community_id}:{page.offset + PAGE}"))
    return InlineKeyboardMarkup([row]) if row else None
