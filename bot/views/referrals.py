"""What inviters read when the members they brought finish onboarding, buy, or earn them free days."""

from __future__ import annotations

from typing import Any

from bot.views.base import NoticeEnv, NoticeRenderer, Rendered


def render_onboarded(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """A newcomer who came by the member's link finished onboarding."""
    return Rendered(env.t("referral.onboarded", name=params["name"], title=params["title"],
                          points=params["points"], count=params["points"]))


def render_purchased(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """That newcomer's first purchase."""
    return Rendered(env.t("referral.purchased", name=params["name"], title=params["title"],
                          points=params["points"], count=params["points"]))


def render_reward(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Free days of membership for the paying newcomers the member brought."""
    return Rendered(env.t("referral.reward", title=params["title"], until=params["until"], paid=params["count"],
                          count=params["count"]))


NOTICES: dict[str, NoticeRenderer] = {
    "referrals/onboarded": render_onboarded, "referrals/purchased": render_purchased, "referrals/reward": render_reward,
}
