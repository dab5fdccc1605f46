"""Logging set-up: one line per event, never a token."""

from __future__ import annotations

import logging


def setup_logging(level: str) -> None:
    """Configure the root logger; keep HTTP client logs (they contain the token) quiet."""
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
