"""Questions: /ask posts numbered per community, found again by either of their messages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models_qa import Question
from storage.repos.communities import lock_numbering
from storage.schema import questions
from storage.sql import chunks, insert

_q = questions.c


class QuestionsRepo:
    """Read and write the questions table."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def create(
        self, community_id: int, asker_id: int, text: str, message_id: int, bounty: int, now: dt.datetime
    ) -> Question | None:
        """Insert a question with the community's next number; None when message_id has one already.

        The community's row is held until commit (PostgreSQL), so two questions asked at once
        get consecutive numbers instead of the same one.
        """
        await lock_numbering(self.conn, community_id)
        number = sa.select(sa.func.coalesce(sa.func.max(_q.number), 0) + 1).where(
            _q.community_id == community_id
        ).scalar_subquery()
        stmt = (
            insert(self.conn, questions)
            .values(
                community_id=community_id,
                number=number,
                asker_id=asker_id,
                text=text,
                message_id=message_id,
                status="open",
                bounty=bounty,
                answer_count=0,
                created_at=now,
                updated_at=now,
            )
            .on_conflict_do_nothing(index_elements=[_q.community_id, _q.message_id])
        )
        row = (await self.conn.execute(stmt.returning(*questions.c))).first()
        return Question.from_row(row._mapping) if row else None

    async def add_many(self, rows: Iterable[dict[str, Any]]) -> None:
        """Insert prepared rows in bulk (imports and benchmarks)."""
        for batch in chunks(rows):
            await self.conn.execute(sa.insert(questions), list(batch))

    async def get(self, id: int) -> Question | None:
        """Return a question by id, or None."""
        return await self._one(_q.id == id)

    async def lock(self, id: int) -> Question | None:
        """Return a question by id and hold its row until commit (PostgreSQL), or None.

        Accepting, closing and answering lock the question first, so its state, answer count
        and bounty change in one transaction at a time.
        """
        row = (await self.conn.execute(sa.select(questions).where(_q.id == id).with_for_update())).first()
        return Question.from_row(row._mapping) if row else None

    async def by_number(self, community_id: int, number: int) -> Question | None:
        """Return Q#number of a community, or None."""
        return await self._one(_q.community_id == community_id, _q.number == number)

    async def by_ask_message(self, community_id: int, message_id: int) -> Question | None:
        """Return the question asked by this /ask message, or None."""
        return await self._one(_q.community_id == community_id, _q.message_id == message_id)

    async def by_message(self, community_id: int, message_id: int) -> Question | None:
        """Return the question whose /ask message or Q post this is, or None."""
        return await self._one(
            _q.community_id == community_id,
            sa.or_(_q.message_id == message_id, _q.post_message_id == message_id),
        )

    async def get_many(self, ids: Iterable[int]) -> dict[int, Question]:
        """Return the questions among ids, keyed by id."""
        found: dict[int, Question] = {}
        for batch in chunks(set(ids)):
            for row in await self.conn.execute(sa.select(questions).where(_q.id.in_(batch))):
                question = Question.from_row(row._mapping)
                found[question.id] = question
        return found

    async def set_post(self, id: int, post_message_id: int, now: dt.datetime) -> None:
        """Record the bot's Q post for the question."""
        await self._update(id, now, post_message_id=post_message_id)

    async def set_offered_faq(self, id: int, faq_id: int, now: dt.datetime) -> None:
        """Record the FAQ entry offered as an immediate answer."""
        await self._update(id, now, offered_faq_id=faq_id)

    async def count_answer(self, id: int, now: dt.datetime) -> None:
        """Add one to the question's answer count."""
        await self._update(id, now, answer_count=_q.answer_count + 1)

    async def finish(
        self,
        id: int,
        status: str,
        now: dt.datetime,
        *,
        accepted_answer_id: int | None = None,
        faq_id: int | None = None,
    ) -> bool:
        """Move an open question to solved or closed; False when it was no longer open."""
        result = await self.conn.execute(
            sa.update(questions)
            .where(_q.id == id, _q.status == "open")
            .values(
                status=status,
                accepted_answer_id=accepted_answer_id,
                faq_id=faq_id,
                closed_at=now,
                updated_at=now,
            )
        )
        return result.rowcount == 1

    async def list_open(self, community_id: int, offset: int, limit: int) -> list[Question]:
        """Return a page of open questions, newest first."""
        rows = await self.conn.execute(
            sa.select(questions)
            .where(_q.community_id == community_id, _q.status == "open")
            .order_by(_q.number.desc())
            .offset(offset)
            .limit(limit)
        )
        return [Question.from_row(row._mapping) for row in rows]

    async def count_open(self, community_id: int) -> int:
        """Count the open questions of a community."""
        count = await self.conn.scalar(
            sa.select(sa.func.count()).select_from(questions).where(
                _q.community_id == community_id, _q.status == "open"
            )
        )
        return int(count or 0)

    async def texts(self, community_id: int) -> list[tuple[int, str, str]]:
        """Return (id, text, status) of every question of a community, for the search index."""
        rows = await self.conn.execute(
            sa.select(_q.id, _q.text, _q.status).where(_q.community_id == community_id).order_by(_q.id)
        )
        return [(id, text, status) for id, text, status in rows]

    async def _one(self, *where: sa.ColumnElement[bool]) -> Question | None:
        row = (await self.conn.execute(sa.select(questions).where(*where).limit(1))).first()
        return Question.from_row(row._mapping) if row else None

    async def _update(self, id: int, now: dt.datetime, **values: object) -> None:
        await self.conn.execute(sa.update(questions).where(_q.id == id).values(updated_at=now, **values))


