"""Column types shared by the schema and the migrations."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from sqlalchemy.engine import Dialect


class UtcDateTime(sa.TypeDecorator[dt.datetime]):
    """A timestamp stored as UTC and always read back as an aware UTC datetime."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            # A naive time is ambiguous; refusing it here catches the bug at its source.
            raise ValueError(f"naive datetime {value!r}: pass an aware datetime")
        value = value.astimezone(dt.UTC)
        # SQLite has no zone type; the string form is always UTC with a fixed width so it sorts.
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


# Telegram ids exceed 32 bits; surrogate keys are BIGINT too, except that SQLite only
# autoincrements an INTEGER PRIMARY KEY (the rowid alias).
BigIntId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
