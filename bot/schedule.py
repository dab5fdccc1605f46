"""Local times of day, weekly times and quiet hours: parsing, and what they mean at a given moment.

Everything here works on wall-clock time in a community's time zone, so "09:00" stays 09:00
across daylight-saving changes, and a local day or ISO week names one period exactly once.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
OFF = "off"
_TIME = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


def parse_time(text: str) -> dt.time | None:
    """Return the time of day written as H:MM or HH:MM (ASCII digits, 24-hour clock), else None."""
    match = _TIME.fullmatch(text.strip())
    return dt.time(int(match.group(1)), int(match.group(2))) if match else None


def format_time(value: dt.time) -> str:
    """Return HH:MM."""
    return f"{value.hour:02d}:{value.minute:02d}"


@dataclass(frozen=True)
class WeeklyTime:
    """A weekday and a time of day, e.g. mon 10:00."""

    weekday: int  # 0 = Monday
    time: dt.time

    @classmethod
    def parse(cls, text: str) -> WeeklyTime | None:
        """Read "mon 10:00" (an English weekday, at least its first three letters, any case); else None."""
        parts = text.lower().split()
        if len(parts) != 2 or len(parts[0]) < 3:
            return None
        day = next((i for i, name in enumerate(_FULL_DAYS) if name.startswith(parts[0])), None)
        time = parse_time(parts[1])
        return cls(day, time) if day is not None and time is not None else None

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {format_time(self.time)}"


@dataclass(frozen=True)
class QuietHours:
    """A daily window in which nothing personal is sent, e.g. 22:00-08:00 (it may span midnight)."""

    start: dt.time
    end: dt.time

    @classmethod
    def parse(cls, text: str) -> QuietHours | None:
        """Read "22:00-08:00"; None when malformed or empty (start equal to end)."""
        parts = text.replace("–", "-").split("-")
        if len(parts) != 2:
            return None
        start, end = parse_time(parts[0]), parse_time(parts[1])
        if start is None or end is None or start == end:
            return None
        return cls(start, end)

    def __str__(self) -> str:
        return f"{format_time(self.start)}-{format_time(self.end)}"

    def contains(self, moment: dt.time) -> bool:
        """Whether a local time of day falls inside the window."""
        if self.start < self.end:
            return self.start <= moment < self.end
        return moment >= self.start or moment < self.end

    def ends_after(self, local: dt.datetime) -> dt.datetime:
        """Return the first local moment at or after `local` outside the window."""
        if not self.contains(local.time()):
            return local
        end = dt.datetime.combine(local.date(), self.end, local.tzinfo)
        return end if end > local else end + dt.timedelta(days=1)


def local_now(now: dt.datetime, timezone: str) -> dt.datetime:
    """Return the UTC moment as wall-clock time in a zone (UTC when the name is unknown)."""
    try:
        zone = zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        zone = zoneinfo.ZoneInfo("UTC")
    return now.astimezone(zone)


def day_key(local: dt.datetime) -> str:
    """Name the local day, e.g. 2026-03-29."""
    return local.date().isoformat()


def week_key(local: dt.datetime) -> str:
    """Name the local ISO week, e.g. 2026-W13."""
    year, week, _ = local.isocalendar()
    return f"{year}-W{week:02d}"


def daily_due(local: dt.datetime, at: dt.time) -> bool:
    """Whether today's run at `at` is due at this local moment (it stays due until midnight)."""
    return local.time() >= at


def weekly_due(local: dt.datetime, at: WeeklyTime) -> bool:
    """Whether this week's run is due: on its weekday, from its time until midnight."""
    return local.weekday() == at.weekday and daily_due(local, at.time)
