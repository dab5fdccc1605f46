"""CSV exports of the known world: headers, row counts, BOM, Chinese names, formulas defused, audit."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from bot.clock import FakeClock
from bot.errors import Usage
from bot.services.export import HEADERS, KINDS, do_export, parse_export_kinds
from storage.db import Database
from tests.fixtures import ALICE, CAROL, DAVE, GROUP
from tests.stats.console_world import NOW


def read_csv(path: Path) -> list[list[str]]:
    """Read an export as Excel would: the BOM must be there, then plain CSV."""
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf"), "no UTF-8 byte-order mark"
    return list(csv.reader(data[3:].decode("utf-8").splitlines()))


def test_parse_kinds() -> None:
    assert parse_export_kinds([]) == KINDS
    assert parse_export_kinds(["QA", "members"]) == ("members", "qa")
    with pytest.raises(Usage):
        parse_export_kinds(["everything"])


async def test_all_four_files(world: Database, tmp_path: Path) -> None:
    async with world.transaction() as repos:  # a name that would be a formula in a spreadsheet
        await repos.users.upsert(CAROL.id, "=HYPERLINK(\"x\")", None, CAROL.username, "en", False, NOW)
    files = await do_export(world, FakeClock(NOW), GROUP.id, CAROL.id, KINDS, tmp_path)
    assert [f.path.name for f in files] == [f"{k}-2026-02-09.csv" for k in KINDS]
    tables = {f.kind: read_csv(f.path) for f in files}
    for kind, rows in tables.items():
        assert tuple(rows[0]) == HEADERS[kind]
    assert {f.kind: f.rows for f in files} == {"members": 4, "payments": 3, "ledger": 0, "qa": 7}
    members = {int(r[0]): dict(zip(HEADERS["members"], r, strict=True)) for r in tables["members"][1:]}
    assert members[DAVE.id]["name"] == "戴夫 王" and members[DAVE.id]["joined"] == "2026-01-14T09:00:00Z"
    assert members[ALICE.id]["badges"] in ("helper newcomer", "newcomer helper")
    assert members[ALICE.id]["purchases"] == "1" and members[ALICE.id]["last_active"] == "2026-02-09"
    assert members[CAROL.id]["name"] == "'=HYPERLINK(\"x\")"
    payments = [dict(zip(HEADERS["payments"], r, strict=True)) for r in tables["payments"][1:]]
    assert [(p["charge_id"], p["stars"], p["refunded"]) for p in payments] == [
        ("ch-alice", "50", "no"), ("ch-bob", "20", "yes"), ("ch-carol", "10", "no")]
    assert payments[0]["item_or_plan"] == "item #1 Guide" and payments[2]["item_or_plan"] == "plan #1 Gold"
    assert payments[1]["refunded_at"] == "2026-01-25T09:00:00Z"
    qa = tables["qa"][1:]
    assert [(r[0], r[1]) for r in qa] == [("1", "question"), ("1", "answer"), ("1", "answer"), ("2", "question"),
                                          ("2", "answer"), ("3", "question"), ("3", "answer")]
    assert qa[2][4:] == ["戴夫 王", "长按消息，然后选择置顶。", "2026-01-20T13:00:00Z", "yes"]
    assert qa[0][2] == "solved" and qa[1][7] == "no"
    async with world.read() as repos:
        entry = (await repos.audit.list(GROUP.id))[0]
    assert (entry.action, entry.actor_id) == ("data.export", CAROL.id)
    assert entry.details["rows"] == {"members": 4, "payments": 3, "ledger": 0, "qa": 7}


async def test_ledger_rows_stream_in_chunks(world: Database, tmp_path: Path) -> None:
    rows = [{"community_id": GROUP.id, "user_id": ALICE.id, "delta": 1, "scored": True, "reason": "award",
             "ref": None, "idem_key": f"k{i}", "day": NOW.date().toordinal(), "created_at": NOW}
            for i in range(4_500)]  # more than two chunks
    async with world.transaction() as repos:
        await repos.ledger.add_many(rows)
    (file,) = await do_export(world, FakeClock(NOW), GROUP.id, CAROL.id, ["ledger"], tmp_path)
    rows = read_csv(file.path)
    assert file.rows == 4_500 and len(rows) == 4_501
    assert rows[1][2:] == ["2026-02-09", str(ALICE.id), "Alice", "1", "yes", "award", ""]
