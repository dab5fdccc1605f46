"""Paid questions and the answer prompts sent to admins."""

from __future__ import annotations

import datetime as dt
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.models_paid import Consent, PaidQuestion, PaidQuestionStatus
from storage.schema import paid_question_prompts, paid_questions
from storage.sql import insert

_q = paid_questions.c
_p = paid_question_prompts.c


class PaidQuestionsRepo:
    """Read and write paid_questions and paid_question_prompts."""

    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def add(self, asker_id: int, text: str, now: dt.datetime) -> PaidQuestion:
        """Create a draft question; return it."""
        row = (
            await self.conn.execute(
                sa.insert(paid_questions)
                .values(asker_id=asker_id, text=text, status="draft", created_at=now, updated_at=now)
                .returning(*paid_questions.c)
            )
        ).one()
        return PaidQuestion.from_row(row._mapping)

    async def get(self, question_id: int) -> PaidQuestion | None:
        """Return the question, or None."""
        row = (await self.conn.execute(sa.select(paid_questions).where(_q.id == question_id))).first()
        return PaidQuestion.from_row(row._mapping) if row else None

    async def by_order(self, order_id: int) -> PaidQuestion | None:
        """Return the question an order was made for, or None."""
        row = (await self.conn.execute(sa.select(paid_questions).where(_q.order_id == order_id))).first()
        return PaidQuestion.from_row(row._mapping) if row else None

    async def by_payment(self, payment_id: int) -> PaidQuestion | None:
        """Return the question a payment paid for, or None."""
        row = (await self.conn.execute(sa.select(paid_questions).where(_q.payment_id == payment_id))).first()
        return PaidQuestion.from_row(row._mapping) if row else None

    async def move(
        self, question_id: int, old: tuple[PaidQuestionStatus, ...], new: PaidQuestionStatus, now: dt.datetime,
        **values: Any,
    ) -> bool:
        """Change the status from one of old to new (with more columns); False when it was in none of them."""
        result = await self.conn.execute(
            sa.update(paid_questions)
            .where(_q.id == question_id, _q.status.in_(old))
            .values(status=new, updated_at=now, **values)
        )
        return result.rowcount == 1

    async def set_consent(
        self, question_id: int, old: tuple[Consent | None, ...], new: Consent, now: dt.datetime, **values: Any
    ) -> bool:
        """Change the asker's consent from one of old (None: not given) to new; False when it was elsewhere."""
        known = [v for v in old if v is not None]
        where = _q.consent.in_(known) if known else sa.false()
        if None in old:
            where = sa.or_(where, _q.consent.is_(None))
        result = await self.conn.execute(
            sa.update(paid_questions)
            .where(_q.id == question_id, _q.status == "answered", where)
            .values(consent=new, updated_at=now, **values)
        )
        return result.rowcount == 1

    async def overdue(self, now: dt.datetime, limit: int = 100) -> list[PaidQuestion]:
        """Return waiting questions whose deadline has passed, oldest deadline first."""
        rows = await self.conn.execute(
            sa.select(paid_questions)
            .where(_q.status == "waiting", _q.deadline_at <= now)
            .order_by(_q.deadline_at, _q.id)
            .limit(limit)
        )
        return [PaidQuestion.from_row(row._mapping) for row in rows]

    async def add_prompt(self, chat_id: int, message_id: int, question_id: int, now: dt.datetime) -> None:
        """Remember an answer prompt sent to an admin (a second record of the same message changes nothing)."""
        await self.conn.execute(
            insert(self.conn, paid_question_prompts)
            .values(chat_id=chat_id, message_id=message_id, question_id=question_id, created_at=now)
            .on_conflict_do_nothing(index_elements=[_p.chat_id, _p.message_id])
        )

    async def by_prompt(self, chat_id: int, message_id: int) -> PaidQuestion | None:
        """Return the question an answer prompt was sent for, or None."""
        row = (
            await self.conn.execute(
                sa.select(paid_questions)
                .join(paid_question_prompts, _p.question_id == _q.id)
                .where(_p.chat_id == chat_id, _p.message_id == message_id)
            )
        ).first()
        return PaidQuestion.from_row(row._mapping) if row else None

    async def list_all(self) -> list[PaidQuestion]:
        """Return every paid question, oldest first (tests and consistency checks)."""
        rows = await self.conn.execute(sa.select(paid_questions).order_by(_q.id))
        return [PaidQuestion.from_row(row._mapping) for row in rows]
