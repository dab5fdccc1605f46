"""Answers: replies to a question, one row per reply message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models_qa import Answer
from storage.schema import answers, questions
from storage.sql import chunks, insert

_a = answers.c
_q = questions.c


class AnswersRepo:
    """Read and write the answers table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def create(
        self, question_id: int, community_id: int, author_id: int, message_id: int, text: str, now: dt.datetime
    ) -> Answer | None:
        """Insert an answer; None when this message was recorded before."""
        stmt = (
            insert(self.conn, answers)
            .values(
                question_id=question_id,
                community_id=community_id,
                author_id=author_id,
                message_id=message_id,
                text=text,
                created_at=now,
            )
            .on_conflict_do_nothing(index_elements=[_a.community_id, _a.message_id])
        )
        row = (await self.conn.execute(stmt.returning(*answers.c))).first()
        return Answer.from_row(row._mapping) if row else None

    async def add_many(self, rows: Iterable[dict[str, Any]]) -> None:
        """Insert prepared rows in bulk (imports and benchmarks)."""
        for batch in chunks(rows):
            await self.conn.execute(sa.insert(answers), list(batch))

    async def get(self, id: int) -> Answer | None:
        """Return an answer by id, or None."""
        row = (await self.conn.execute(sa.select(answers).where(_a.id == id))).first()
        return Answer.from_row(row._mapping) if row else None

    async def by_message(self, community_id: int, message_id: int) -> Answer | None:
        """Return the answer posted as this message, or None."""
        row = (
            await self.conn.execute(
                sa.select(answers).where(_a.community_id == community_id, _a.message_id == message_id)
            )
        ).first()
        return Answer.from_row(row._mapping) if row else None

    async def get_many(self, ids: Iterable[int]) -> dict[int, Answer]:
        """Return the answers among ids, keyed by id."""
        found: dict[int, Answer] = {}
        for batch in chunks(set(ids)):
            for row in await self.conn.execute(sa.select(answers).where(_a.id.in_(batch))):
                answer = Answer.from_row(row._mapping)
                found[answer.id] = answer
        return found

    async def accepted_texts(self, community_id: int) -> list[tuple[int, str]]:
        """Return (question id, accepted answer text) of every solved question, for the index."""
        rows = await self.conn.execute(
            sa.select(_q.id, _a.text)
            .join(answers, _a.id == _q.accepted_answer_id)
            .where(_q.community_id == community_id)
            .order_by(_q.id)
        )
        return [(question_id, text) for question_id, text in rows]
