"""Every notice kind and its renderer; the outbox sender renders through this table."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup

from bot.views import community, console, content, digests, memberships, onboarding, paid_questions, points, qa
from bot.views import referrals, self_refunds
from bot.views.base import NoticeEnv, NoticeRenderer, Rendered


def render_prerendered(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """A message queued by an earlier version, already rendered: send it as it is."""
    markup = params.get("reply_markup")
    return Rendered(params["text"], InlineKeyboardMarkup.de_json(markup, None) if markup else None)


RENDERERS: dict[str, NoticeRenderer] = {
    **community.NOTICES,
    **onboarding.NOTICES,
    **points.NOTICES,
    **qa.NOTICES,
    **content.NOTICES,
    **digests.NOTICES,
    **memberships.NOTICES,
    **console.NOTICES,
    **referrals.NOTICES,
    **paid_questions.NOTICES,
    **self_refunds.NOTICES,
    "prerendered": render_prerendered,
}


class UnknownNotice(LookupError):
    """A stored notice kind no renderer knows (written by a newer version?)."""


def render_notice(env: NoticeEnv, kind: str, params: dict[str, Any]) -> Rendered:
    """Render a stored notice in env's language."""
    renderer = RENDERERS.get(kind)
    if renderer is None:
        raise UnknownNotice(kind)
    return renderer(env, params)
