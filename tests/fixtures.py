"""What every test folder shares: the real bot against the simulator, the usual community and its people.

- Databases: `db_urls(name)` gives a fresh database of the test on each backend (tests/databases.py).
- End to end: `clock`, `sim`, `settings` (and `make_settings` for a second database), `runner`,
  the simulator users `alice`, `bob` (his Telegram is in Chinese) and `carol` (the group's
  creator, username carol_admin), and `group`, where the bot was added and greeted.
- For the services: the same people as `UserInfo` records (`ALICE`, `BOB`, `CAROL`, and `DAVE`
  and the bot account `ROBOT` where a test needs them), registered in the supergroup `GROUP` of
  a fresh database by `register_community` or `open_community`.
- Reading what the bot stored: `stored(url)` through the repositories (wait on it with `sim.wait_until`).
- Paid content: `payload_secret` turns buying with Stars on (`pytest.mark.usefixtures`), `shop` is the
  group with Alice and Bob in it, 500 Stars each; `run_job(runner, name)` runs a periodic job now.

tests/conftest.py registers this module as a plugin, so its fixtures reach every folder under tests/.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import sys
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import NamedTuple

import pytest

from bot.clock import FakeClock
from bot.config import Settings, load_settings
from bot.runner import BotRunner
from bot.services.communities import ChatInfo, UserInfo, do_register_community
from storage.db import Database
from storage.repos import Repos
from tests.content.flows import SECRET
from tests.databases import DbUrls
from tgsim import SimChat, Simulator, SimUser


# The moment the tests' clocks start at (FakeClock's default).
T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)

# --- the people, as the services see them -------------------------------------------------

GROUP = ChatInfo(-1001234567890, "Rust Circle", "supergroup", "rustcircle")  # a supergroup id needs 64 bits
ALICE = UserInfo(1001, "Alice", None, "alice", "en")
BOB = UserInfo(1002, "Bob", "Li", "bob", "zh-hans")
CAROL = UserInfo(1003, "Carol", None, "carol_admin", "en")  # the group's admin
DAVE = UserInfo(1004, "Dave", None, "dave", "en")
ROBOT = UserInfo(1999, "Robot", None, "robot_bot", None, is_bot=True)
PEOPLE = (ALICE, BOB, CAROL)


class People(NamedTuple):
    """Ids of the group and its people, for tests that work with bare ids."""

    group: int
    alice: int
    bob: int
    carol_admin: int


IDS = People(GROUP.id, ALICE.id, BOB.id, CAROL.id)


async def register_community(
    db: Database,
    now: dt.datetime = T0,
    people: Iterable[UserInfo] = PEOPLE,
    *,
    started: Iterable[UserInfo] = (),
    timezone: str | None = None,
) -> None:
    """Register GROUP with people as its members (CAROL as its admin); started have pressed Start."""
    async with db.transaction() as repos:
        await repos.communities.register(GROUP.id, GROUP.title, GROUP.chat_type, GROUP.username, now)
        if timezone is not None:
            await repos.communities.set_timezone(GROUP.id, timezone, now)
        for person in people:
            await repos.users.upsert(
                person.id, person.first_name, person.last_name, person.username, person.language_code,
                person.is_bot, now,
            )
            await repos.memberships.upsert(GROUP.id, person.id, "member", person.id == CAROL.id, now)
        for person in started:
            await repos.users.mark_started(person.id, now)


async def open_community(
    url: str,
    now: dt.datetime = T0,
    people: Iterable[UserInfo] = PEOPLE,
    *,
    started: Iterable[UserInfo] = (),
    timezone: str | None = None,
) -> Database:
    """Open a fresh, migrated database at url with GROUP and its people registered; the caller closes it."""
    db = await Database.open(url)
    try:
        await register_community(db, now, people, started=started, timezone=timezone)
    except BaseException:
        await db.close()
        raise
    return db


@pytest.fixture
def payload_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn buying with Stars on: invoice payloads are signed with the tests' secret."""
    monkeypatch.setenv("CIRCLEBOT_PAYLOAD_SECRET", SECRET)


@pytest.fixture
def t0() -> dt.datetime:
    return T0


# --- the simulator and the real bot against it --------------------------------------------


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def sim(request: pytest.FixtureRequest, clock: FakeClock) -> AsyncIterator[Simulator]:
    """A simulator on a free loopback port; its transcripts are printed if the test fails.

    Tests marked flood_limits run under Telegram's sending limits; every test fails if the bot
    called a method the simulator does not implement.
    """
    simulator = Simulator(clock=clock, flood_limits=request.node.get_closest_marker("flood_limits") is not None)
    await simulator.start()
    try:
        yield simulator
    finally:
        report = getattr(request.node, "report_call", None)
        if report is not None and report.failed:
            print("\n==== transcripts ====\n" + simulator.transcripts())
            print("==== errors returned to the bot ====")
            for error in simulator.errors:
                print(error)
        await simulator.stop()
    if not request.node.get_closest_marker("allow_forbidden"):
        initiated = [e for e in simulator.errors if "can't initiate conversation" in str(e)]
        assert not initiated, f"the bot tried to message users who never started it: {initiated}"
    assert not simulator.unknown_methods, f"the bot called methods the simulator lacks: {simulator.unknown_methods}"


def make_settings(sim: Simulator, db_url: str, **overrides: object) -> Settings:
    """Settings pointing at the simulator and a per-test database (a URL from `db_urls`)."""
    telegram = {"base_url": sim.base_url, "base_file_url": sim.base_file_url, "poll_timeout": 1}
    telegram.update(overrides.pop("telegram", {}))  # type: ignore[arg-type]
    return load_settings(None, telegram=telegram, storage={"url": db_url}, **overrides)


@pytest.fixture
def settings(sim: Simulator, db_urls: DbUrls) -> Settings:
    return make_settings(sim, db_urls("bot.db"))


@pytest.fixture
async def runner(sim: Simulator, settings: Settings, clock: FakeClock) -> AsyncIterator[BotRunner]:
    """The real PTB Application polling the simulator."""
    bot = BotRunner(settings, sim.token, clock=clock)
    await bot.start()
    try:
        yield bot
    finally:
        await bot.stop()


# --- the people, end to end --------------------------------------------------------------


@pytest.fixture
def carol(sim: Simulator) -> SimUser:
    """The group's creator (a Telegram admin)."""
    return sim.user("Carol", username="carol_admin")


@pytest.fixture
def alice(sim: Simulator) -> SimUser:
    return sim.user("Alice", username="alice")


@pytest.fixture
def bob(sim: Simulator) -> SimUser:
    """A member whose Telegram is in Chinese."""
    return sim.user("Bob", username="bob", language_code="zh-hans")


@pytest.fixture
async def group(sim: Simulator, runner: BotRunner, carol: SimUser) -> SimChat:
    """A supergroup owned by Carol with the bot added as an admin and greeted."""
    chat = sim.group("Python Circle", owner=carol, supergroup=True)
    await chat.add_bot(by=carol, admin=True)
    await carol.expect(chat, contains="Hello")
    return chat


# --- what the bot stored -----------------------------------------------------------------


@asynccontextmanager
async def stored(url: str) -> AsyncIterator[Repos]:
    """Read the bot's database through the repositories, with an engine of our own (no migration).

    SQLite in WAL mode (and PostgreSQL) lets this run beside a running bot, in this process or another one.
    """
    db = await Database.open(url, migrate=False)
    try:
        async with db.read() as repos:
            yield repos
    finally:
        await db.close()


@asynccontextmanager
async def registered_group(url: str, clock: FakeClock) -> AsyncIterator[Database]:
    """Yield a fresh database where GROUP was registered as the bot does it (no members yet)."""
    db = await Database.open(url)
    try:
        await do_register_community(db, clock, GROUP, [], "greet:test")
        yield db
    finally:
        await db.close()


# --- the bot as a real process ------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


async def start_bot_process(
    sim: Simulator, db_url: str, *args: str, log: Path | None = None, **env: str
) -> asyncio.subprocess.Process:
    """Start `circlebot run [args]` against the simulator and a database; env adds or overrides variables.

    Its output goes to the file log (appended), else nowhere.
    """
    variables = dict(os.environ)
    variables.update(
        TELEGRAM_BOT_TOKEN=sim.token,
        CIRCLEBOT__TELEGRAM__BASE_URL=sim.base_url,
        CIRCLEBOT__TELEGRAM__BASE_FILE_URL=sim.base_file_url,
        CIRCLEBOT__TELEGRAM__POLL_TIMEOUT="1",
        CIRCLEBOT__STORAGE__URL=db_url,
        **env,
    )
    out = log.open("ab") if log is not None else asyncio.subprocess.DEVNULL
    try:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot.cli", "run", *args, cwd=ROOT, env=variables, stdout=out, stderr=out,
        )
    finally:
        if log is not None:
            out.close()


async def outbox_settled(db_url: str) -> bool:
    """Whether every queued notice was settled (sent, skipped or given up)."""
    async with stored(db_url) as repos:
        return await repos.outbox.count_pending() == 0


async def run_job(runner: BotRunner, name: str) -> None:
    """Run one of the bot's real periodic jobs now, then wait until the outbox has sent what it queued."""
    app = runner.app
    (job,) = app.job_queue.get_jobs_by_name(name)
    await job.run(app)
    await app.bot_data.outbox.idle()


@pytest.fixture
async def shop(group: SimChat, alice: SimUser, bob: SimUser) -> SimChat:
    """The usual group, with Alice and Bob in it, both having started the bot, with 500 Stars each."""
    for user in (alice, bob):
        await user.start()
        await user.expect()
        await user.join(group)
        user.stars = 500
    return group
