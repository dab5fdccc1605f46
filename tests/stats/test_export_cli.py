"""`circlebot export --community ID --out DIR` writes the same files as /export, and audits it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.cli import main
from bot.services.export import HEADERS, KINDS
from tests.databases import DbUrls
from tests.fixtures import GROUP, stored
from tests.stats.console_world import build_world
from tests.stats.test_export_service import read_csv


def test_cli_writes_the_four_files(tmp_path: Path, db_urls: DbUrls, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    url = db_urls("bot.db")
    asyncio.run(_build(url))
    monkeypatch.setenv("CIRCLEBOT__STORAGE__URL", url)
    assert main(["export", "--community", str(GROUP.id), "--out", str(tmp_path / "out")]) == 0
    written = sorted((tmp_path / "out").iterdir())
    assert sorted(p.name.split("-")[0] for p in written) == sorted(KINDS)
    members = next(p for p in written if p.name.startswith("members-"))
    rows = read_csv(members)
    assert tuple(rows[0]) == HEADERS["members"] and len(rows) == 5
    assert "members-" in capsys.readouterr().out
    assert main(["export", "--community", str(GROUP.id), "--out", str(tmp_path / "qa"), "--only", "qa"]) == 0
    assert [p.name.split("-")[0] for p in (tmp_path / "qa").iterdir()] == ["qa"]
    assert main(["export", "--community", "-1", "--out", str(tmp_path / "none")]) == 1
    assert main(["export", "--community", str(GROUP.id), "--out", str(tmp_path / "x"), "--only", "all"]) == 2

    async def audited() -> list[str]:
        async with stored(url) as repos:
            return [e.details["source"] for e in await repos.audit.list(GROUP.id) if e.action == "data.export"]

    assert asyncio.run(audited()) == ["cli", "cli"]


async def _build(url: str) -> None:
    db = await build_world(url)
    await db.close()
