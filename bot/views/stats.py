"""The /stats caption: the key numbers of the chart for those who don't open images (≤ 1024 characters)."""

from __future__ import annotations

from collections.abc import Callable

from bot.i18n import Raw
from bot.services.stats import RETENTION_WEEKS, Stats
from bot.views.limits import MAX_CAPTION, fit_html

Translate = Callable[..., str]

NAME_CHARS = 24  # a top contributor's name in the caption


def _share(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _number(value: float) -> str:
    return f"{value:,.1f}" if value < 100 else f"{value:,.0f}"


def duration(t: Translate, seconds: float | None) -> str:
    """Return a wait as minutes, hours or days in the admin's language ("–" when there was none)."""
    if seconds is None:
        return "–"
    if seconds < 3600:
        return t("stats.minutes", n=max(1, round(seconds / 60)))
    if seconds < 48 * 3600:
        return t("stats.hours", n=f"{seconds / 3600:.1f}")
    return t("stats.days", n=f"{seconds / 86400:.1f}")


def stats_caption(t: Translate, title: str, stats: Stats) -> str:
    """Return the caption of the /stats chart (HTML), cut to Telegram's caption limit."""
    s, sales = stats, stats.sales
    lines = [
        t("stats.title", title=title, days=s.days, start=s.start.isoformat(), end=s.end.isoformat()),
        t("stats.members", now=s.members.now, joined=s.members.joined, left=s.members.left),
        t("stats.active", dau=_number(s.dau), wau=s.active.week, mau=s.active.month, period=s.active.period),
        t("stats.messages", messages=s.messages, per_day=_number(s.messages_per_day)),
        t("stats.questions", asked=s.questions, solved=_share(s.solved_share),
          first=duration(t, s.first_answer), accepted=duration(t, s.accepted)),
        t("stats.points", points=s.points),
        t("stats.content", published=s.published, opens=s.opens, openers=s.openers),
        t("stats.revenue", stars=sales.stars, purchases=sales.purchases, buyers=sales.buyers,
          conversion=_share(s.conversion)),
        t("stats.refunds", refunds=sales.refunds, stars=sales.stars_refunded),
        t("stats.memberships", active=s.memberships, renewing=s.renewing, renewals=sales.renewals),
    ]
    if s.digests.queued:
        lines.append(t("stats.digests", sent=s.digests.sent, queued=s.digests.queued, reached=s.digests.reached))
    one, two, four = (_share(s.retention(k)) for k in RETENTION_WEEKS)
    lines.append(t("stats.retention", one=one, two=two, four=four))
    if s.top:
        top = " · ".join(t("stats.top_entry", name=_short(name), points=points) for _, name, points in s.top)
        lines.append(t("stats.top", entries=Raw(top)))
    return fit_html("\n".join(lines), MAX_CAPTION)


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"
