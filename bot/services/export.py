"""/export and `circlebot export`: a community's members, payments, points ledger and Q&A as CSV files.

Files are UTF-8 with a byte-order mark (Excel then reads Chinese names right), written chunk by
chunk from streamed queries, so their size never sits in memory. Times are ISO 8601 in UTC;
days are the community's local dates. Text a member typed that starts like a spreadsheet
formula (= + - @) gets a leading apostrophe, so opening the file never runs it.
"""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.clock import Clock
from bot.errors import NotFound, Usage
from bot.services.points_rules import local_day
from storage.db import Database
from storage.repos import Repos
from storage.repos.exports import Rows

KINDS = ("members", "payments", "ledger", "qa")
HEADERS: dict[str, tuple[str, ...]] = {
    "members": ("id", "name", "username", "joined", "left", "points", "level", "badges", "purchases", "last_active"),
    "payments": ("charge_id", "buyer_id", "buyer", "kind", "item_or_plan", "stars", "time", "refunded",
                 "refunded_at"),
    "ledger": ("id", "time", "day", "user_id", "name", "delta", "scored", "reason", "ref"),
    "qa": ("question", "kind", "status", "author_id", "author", "text", "time", "accepted"),
}
SYSTEM_ACTOR = 0  # audit rows of exports from the command line
_FORMULA = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportFile:
    """One written file: which export, where, how many data rows and bytes."""

    kind: str
    path: Path
    rows: int

    @property
    def size(self) -> int:
        return self.path.stat().st_size


def parse_export_kinds(args: Sequence[str]) -> tuple[str, ...]:
    """Return the exports asked for (none named: all four); raise Usage for anything else."""
    if not args:
        return KINDS
    wanted = [a.strip().lower() for a in args]
    if any(w not in KINDS for w in wanted):
        raise Usage("export.usage")
    return tuple(k for k in KINDS if k in wanted)


def _text(value: str | None) -> str:
    if not value:
        return ""
    return "'" + value if value.startswith(_FORMULA) else value


def _name(first: str | None, last: str | None) -> str:
    return _text(f"{first} {last}" if last else (first or ""))


def _time(value: dt.datetime | None) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else ""


def _day(value: int | None) -> str:
    return dt.date.fromordinal(value).isoformat() if value else ""


def _yes(value: Any) -> str:
    return "" if value is None else ("yes" if value else "no")


def _member(r: tuple[Any, ...]) -> tuple[Any, ...]:
    uid, first, last, username, joined, left, score, level, held, bought, seen = r
    return (uid, _name(first, last), _text(username), _time(joined), _time(left), score, level, held or "", bought,
            _day(seen))


def _payment(r: tuple[Any, ...]) -> tuple[Any, ...]:
    charge, uid, first, last, kind, what_id, what, stars, at, status, refunded_at = r
    label = f"{kind} #{what_id} {what or ''}".strip() if what_id is not None else kind
    return (charge, uid, _name(first, last), kind, _text(label), stars, _time(at), _yes(status == "refunded"),
            _time(refunded_at))


def _ledger(r: tuple[Any, ...]) -> tuple[Any, ...]:
    row_id, at, day, uid, first, last, delta, scored, reason, ref = r
    return (row_id, _time(at), _day(day), uid, _name(first, last), delta, _yes(scored), reason, _text(ref))


def _qa(r: tuple[Any, ...]) -> tuple[Any, ...]:
    number, kind, status, uid, first, last, text, at, accepted = r
    return (number, kind, status or "", uid, _name(first, last), _text(text), _time(at), _yes(accepted))


_FORMAT: dict[str, Callable[[tuple[Any, ...]], tuple[Any, ...]]] = {
    "members": _member, "payments": _payment, "ledger": _ledger, "qa": _qa,
}


def _source(repos: Repos, kind: str, community_id: int) -> Rows:
    exports = repos.exports
    sources = {"members": exports.members, "payments": exports.payments, "ledger": exports.ledger, "qa": exports.qa}
    return sources[kind](community_id)


def file_name(kind: str, today: dt.date) -> str:
    """Return the export's file name, e.g. members-2026-02-09.csv."""
    return f"{kind}-{today.isoformat()}.csv"


async def write_csv(rows: Rows, header: Iterable[str], fmt: Callable[[tuple[Any, ...]], tuple[Any, ...]],
                    path: Path) -> int:
    """Write the header and the rows chunk by chunk to path (UTF-8 with BOM); return the data rows."""
    count = 0
    with path.open("w", encoding="utf-8-sig", newline="") as out:
        writer = csv.writer(out)
        writer.writerow(header)
        async for chunk in rows:
            writer.writerows(fmt(r) for r in chunk)
            count += len(chunk)
    return count


async def do_export(
    db: Database, clock: Clock, community_id: int, actor_id: int, kinds: Sequence[str], folder: Path, *,
    source: str = "chat",
) -> list[ExportFile]:
    """Write the chosen exports into folder (one read snapshot) and audit it; return the files."""
    now = clock.now()
    written: list[ExportFile] = []
    async with db.read() as repos:
        community = await repos.communities.get(community_id)
        if community is None:
            raise NotFound("error.not_found")
        today = dt.date.fromordinal(local_day(now, community.timezone))
        for kind in kinds:
            path = folder / file_name(kind, today)
            rows = await write_csv(_source(repos, kind, community_id), HEADERS[kind], _FORMAT[kind], path)
            written.append(ExportFile(kind, path, rows))
    async with db.transaction() as repos:
        details = {"files": list(kinds), "rows": {f.kind: f.rows for f in written}, "source": source}
        await repos.audit.add(community_id, actor_id, "data.export", None, details, now)
    return written
