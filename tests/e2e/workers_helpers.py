"""Webhook workers as real `circlebot run` processes against the simulator, for the test_workers* files."""

from __future__ import annotations

import asyncio
import signal
import socket
from pathlib import Path

import asyncpg
from sqlalchemy.engine import make_url

from bot.leader import LEADER_LOCK
from tests.fixtures import start_bot_process
from tgsim import Simulator

SECRET = "workers-secret"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def hook_url(port: int) -> str:
    return f"http://127.0.0.1:{port}/telegram"


async def start_worker(
    sim: Simulator, db_url: str, port: int, log: Path, *args: str, **env: str
) -> asyncio.subprocess.Process:
    """Start `circlebot run [args]` in webhook mode on port; its log goes to the file log."""
    return await start_bot_process(
        sim, db_url, *args, log=log,
        CIRCLEBOT__TELEGRAM__MODE="webhook",
        CIRCLEBOT__WEBHOOK__URL=hook_url(port),
        CIRCLEBOT__WEBHOOK__LISTEN="127.0.0.1",
        CIRCLEBOT__WEBHOOK__PORT=str(port),
        CIRCLEBOT__WEBHOOK__SECRET_TOKEN=SECRET,
        CIRCLEBOT__BOT__LEADER_CHECK="1",
        **env,
    )


async def wait_listening(port: int, timeout: float = 60.0) -> None:
    """Wait until something accepts connections on the port."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            if loop.time() > deadline:
                raise TimeoutError(f"nothing listens on {port} after {timeout}s") from None
            await asyncio.sleep(0.2)
            continue
        writer.close()
        await writer.wait_closed()
        return


async def stop(*processes: asyncio.subprocess.Process) -> None:
    for process in processes:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            await asyncio.wait_for(process.wait(), 30)
        except TimeoutError:
            process.kill()
            await process.wait()


def _dsn(db_url: str) -> str:
    return make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False)


async def wait_workers(
    db_url: str, count: int, timeout: float = 60.0, without: frozenset[int] = frozenset()
) -> set[int]:
    """Wait until count workers (none of the pids in without) run on the database; return their pids.

    Each worker keeps a connection for the jobs' lock named after its pid; they are other
    processes, so their database connections are polled.
    """
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    conn = await asyncpg.connect(_dsn(db_url))
    try:
        while True:
            names = await conn.fetch(
                "SELECT application_name FROM pg_stat_activity WHERE datname = current_database()"
                " AND application_name LIKE 'circlebot-leader:%'"
            )
            pids = {int(row["application_name"].rsplit(":", 1)[1]) for row in names}
            if len(pids - without) >= count and not pids & without:
                return pids
            if loop.time() > deadline:
                raise TimeoutError(f"{len(pids - without)} of {count} workers started within {timeout}s")
            await asyncio.sleep(0.2)
    finally:
        await conn.close()


async def leader_pid(db_url: str) -> int | None:
    """The process id of the worker holding the jobs' lock (its lock connection's application name)."""
    conn = await asyncpg.connect(_dsn(db_url))
    try:
        name = await conn.fetchval(
            "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid"
            " WHERE l.locktype = 'advisory' AND l.granted AND l.classid = 0 AND l.objid = $1"
            " AND a.datname = current_database()",
            LEADER_LOCK,
        )
    finally:
        await conn.close()
    return int(name.rsplit(":", 1)[1]) if name else None
