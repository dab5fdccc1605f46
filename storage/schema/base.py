"""The shared MetaData and foreign-key helpers every table module uses."""

from __future__ import annotations

import sqlalchemy as sa

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = sa.MetaData(naming_convention=NAMING_CONVENTION)


def community_fk() -> sa.ForeignKey:
    """Reference communities.id so that a supergroup migration (a PK change) cascades."""
    return sa.ForeignKey("communities.id", ondelete="CASCADE", onupdate="CASCADE")


def user_fk() -> sa.ForeignKey:
    """Reference users.id."""
    return sa.ForeignKey("users.id", ondelete="CASCADE", onupdate="CASCADE")
