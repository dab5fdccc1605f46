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


def _n(value: int) -> str:
    return f"{value:,}"


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
        t("stats.members", now=_n(s.members.now), joined=_n(s.members.joined), left=_n(s.members.left)),
        t("stats.active", dau=_number(s.dau), wau=_n(s.active.week), mau=_n(s.active.month),
          period=_n(s.active.period)),
        t("stats.messages", messages=_n(s.messages), per_day=_number(s.messages_per_day)),
        t("stats.questions", asked=_n(s.questions), solved=_share(s.solved_share),
          first=duration(t, s.first_answer), accepted=duration(t, s.accepted)),
        t("stats.points", points=_n(s.points)),
        t("stats.content", published=_n(s.published), opens=_n(s.opens), openers=_n(s.openers)),
        t("stats.revenue", stars=_n(sales.stars), purchases=_n(sales.purchases), buyers=_n(sales.buyers),
          conversion=_share(s.conversion)),
        t("stats.refunds", refunds=_n(sales.refunds), stars=_n(sales.stars_refunded)),
        t("stats.memberships", active=_n(s.memberships), renewing=_n(s.renewing), renewals=_n(sales.renewals)),
    ]
    if s.digests.queued:
        lines.append(t("stats.digests", sent=_n(s.digests.sent), queued=_n(s.digests.queued),
                       reached=_n(s.digests.reached)))
    one, two, four = (_share(s.retention(k)) for k in RETENTION_WEEKS)
    lines.append(t("stats.retention", one=one, two=two, four=four))
    if s.top:
        top = " · ".join(t("stats.top_entry", name=_short(name), points=_n(points)) for _, name, points in s.top)
        lines.append(t("stats.top", entries=Raw(top)))
    if s.inviters:
        entries = " · ".join(t("stats.inviter_entry", name=_short(name), joined=_n(joined), paid=_n(paid))
                             for name, joined, paid in s.inviters)
        lines.append(t("stats.inviters", entries=Raw(entries)))
    return fit_html("\n".join(lines), MAX_CAPTION)


def _short(name: str) -> str:
    return name if len(name) <= NAME_CHARS else name[: NAME_CHARS - 1] + "…"
