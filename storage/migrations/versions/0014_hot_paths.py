"""Hot paths: a covering index for reading members' window totals by (community, period, member).

The points writer reads the 7- and 30-day totals of a batch's members; the board index
(community, period, total, member) let SQLite scan a whole community's window instead
(14 ms a batch at 100k members, under the write lock). This index makes it a search.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    """Create ix_points_windows_member."""
    op.create_index(
        "ix_points_windows_member", "points_windows", ["community_id", "period", "user_id", "total"]
    )


def downgrade() -> None:
    """Drop ix_points_windows_member."""
    op.drop_index("ix_points_windows_member", table_name="points_windows")
