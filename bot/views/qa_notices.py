"""Q&A notices in private: an answer to your question, your answer accepted."""

from __future__ import annotations

from typing import Any

from bot.links import anchor, message_link
from bot.views.base import NoticeEnv, NoticeRenderer, Rendered


def _link(env: NoticeEnv, params: dict[str, Any]) -> str:
    url = message_link(params["group"], params.get("username"), params.get("message_id"))
    return anchor(url, env.say("qa.link.goto"), "\n")


def render_answered(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Tell the asker their question got an answer."""
    return Rendered(env.say(
        "qa.notify.answer", title=params["title"], link=_link(env, params), number=params["number"],
        name=params["name"], excerpt=params["excerpt"],
    ))


def render_accepted(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Tell the answerer their answer was accepted."""
    return Rendered(env.say(
        "qa.notify.accepted", title=params["title"], link=_link(env, params), number=params["number"]
    ))


NOTICES: dict[str, NoticeRenderer] = {
    "qa/answered": render_answered,
    "qa/accepted": render_accepted,
}
