"""Pending welcomes never reuse an id: a welcome's outbox key is made from the last id it names.

SQLite hands out max(rowid) + 1, so once every queued join was welcomed the next one got
id 1 again, its welcome reused an old key and was dropped. AUTOINCREMENT keeps ids growing
(PostgreSQL sequences never go back anyway).

Revision ID: 0008
Revises: 0007
Create Date: 2026-01-10
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rebuild(autoincrement: bool) -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    # recreate="always" copies the table into one with the new options when the block ends;
    # no column changes, so the block is empty on purpose.
    with op.batch_alter_table(
        "pending_welcomes", recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def upgrade() -> None:
    """Rebuild pending_welcomes with AUTOINCREMENT on SQLite."""
    _rebuild(True)


def downgrade() -> None:
    """Rebuild pending_welcomes without AUTOINCREMENT on SQLite."""
    _rebuild(False)
