"""Frozen models of the paid-questions tables, returned by their repository."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from storage.models import _Row

PaidQuestionStatus = Literal["draft", "invoiced", "waiting", "answered", "declined", "expired", "refunded"]
Consent = Literal["posting", "posted", "private"]


class PaidQuestion(_Row):
    """A question a member paid Stars to ask the community's admins."""

    id: int
    community_id: int | None
    asker_id: int
    text: str
    status: PaidQuestionStatus
    amount: int | None
    order_id: int | None
    payment_id: int | None
    answer_days: int | None
    deadline_at: dt.datetime | None
    answerer_id: int | None
    answer_text: str | None
    answered_at: dt.datetime | None
    settled_by: int | None
    settled_at: dt.datetime | None
    consent: Consent | None
    qa_question_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
