"""What a write transaction did that matters once it commits."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class TransactionEvents:
    """What repositories recorded during one transaction, read after it commits."""

    outbox_ids: list[int] = field(default_factory=list)  # notices queued
    users_written: set[int] = field(default_factory=set)  # users whose row or settings were written
