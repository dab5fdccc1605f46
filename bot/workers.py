"""`circlebot run` in webhook mode: one worker, or `--workers N` of them on one port.

On PostgreSQL every worker listens on webhook.listen:webhook.port with SO_REUSEPORT, and the
kernel spreads new connections over them (one socket inherited by all would let the fastest
process accept nearly all of them); they share the database of storage.url. `--workers N` starts
N such `circlebot run` processes, the same as starting them by hand; it replaces a worker that
exits, and SIGTERM or SIGINT stops them all (each finishes and answers the updates it is handling).
"""

from __future__ import annotations

import asyncio
import logging
import os
import select
import signal
import socket
import subprocess
import sys
import time
from collections import deque

from bot.config import Settings

log = logging.getLogger(__name__)

# A worker that dies this many times within RESTART_WINDOW seconds is not restarted again.
MAX_RESTARTS, RESTART_WINDOW = 5, 60.0
# Seconds workers get to stop after SIGTERM before they are killed.
STOP_WAIT = 30.0


def workers_problem(settings: Settings, workers: int) -> str | None:
    """Say why this many workers cannot run with these settings, or None when they can."""
    if workers < 1:
        return "--workers must be at least 1"
    if workers == 1:
        return None
    if settings.telegram.mode != "webhook":
        return "--workers above 1 needs telegram.mode: webhook (only one process may poll getUpdates)"
    if not settings.storage.url.startswith("postgresql"):
        return "--workers above 1 needs PostgreSQL in storage.url: a SQLite database serves one process only"
    return None


def serve_webhook(settings: Settings, token: str) -> int:
    """Run one webhook worker until SIGTERM or SIGINT."""
    asyncio.run(_serve(settings, token))
    return 0


async def _serve(settings: Settings, token: str) -> None:
    from bot.runner import BotRunner

    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    runner = BotRunner(settings, token, track=False)
    try:
        await runner.start()
        await stop.wait()
    finally:
        await runner.stop()


def supervise(settings: Settings, workers: int, config: str | None) -> int:
    """Run `workers` webhook worker processes on the webhook's port; replace those that exit."""
    hook = settings.webhook
    try:  # a clear message now rather than N workers failing one after another
        socket.create_server((hook.listen, hook.port), reuse_port=True).close()
    except OSError as exc:
        print(f"circlebot: cannot listen on {hook.listen}:{hook.port}: {exc}", file=sys.stderr)
        return 1
    command = [sys.executable, "-m", "bot.cli", "run", *(["--config", config] if config else [])]

    def spawn() -> subprocess.Popen[bytes]:
        return subprocess.Popen(command)

    stopping = False

    def on_signal(signum: int, _frame: object) -> None:
        nonlocal stopping
        stopping = True

    # Every signal (a worker exiting, SIGTERM, SIGINT) writes a byte to this pipe: the loop
    # sleeps in select() until one arrives, and never misses one that came while it worked.
    wake_read, wake_write = os.pipe()
    os.set_blocking(wake_write, False)
    signal.set_wakeup_fd(wake_write)
    signal.signal(signal.SIGCHLD, lambda _signum, _frame: None)
    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    log.info("starting %d webhook workers on %s:%s", workers, hook.listen, hook.port)
    procs = [spawn() for _ in range(workers)]
    deaths: deque[float] = deque(maxlen=MAX_RESTARTS)
    code = 0
    while not stopping:
        for index, proc in enumerate(procs):
            status = proc.poll()
            if status is None or stopping:
                continue
            deaths.append(time.monotonic())
            if len(deaths) == MAX_RESTARTS and deaths[-1] - deaths[0] < RESTART_WINDOW:
                log.error("workers keep exiting (last: pid %s with %s); stopping", proc.pid, status)
                stopping, code = True, 1
                break
            log.warning("worker pid %s exited with %s; starting another", proc.pid, status)
            procs[index] = spawn()
        if not stopping:
            select.select([wake_read], [], [])
            os.read(wake_read, 512)
    signal.set_wakeup_fd(-1)
    os.close(wake_read)
    os.close(wake_write)
    _stop_all(procs)
    return code


def _stop_all(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_WAIT
    for proc in procs:
        try:
            proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            log.warning("worker pid %s did not stop; killing it", proc.pid)
            proc.kill()
            proc.wait()
