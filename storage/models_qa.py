"""Frozen models of the Q&A tables, returned by their repositories."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from storage.models import _Row

QuestionStatus = Literal["open", "solved", "closed"]


class Question(_Row):
    """A question asked with /ask, numbered per community."""

    id: int
    community_id: int
    number: int
    asker_id: int
    text: str
    message_id: int
    post_message_id: int | None
    status: QuestionStatus
    bounty: int
    answer_count: int
    accepted_answer_id: int | None
    faq_id: int | None
    offered_faq_id: int | None
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None

    @property
    def is_open(self) -> bool:
        """Tell whether the question still takes answers."""
        return self.status == "open"


class Answer(_Row):
    """A reply to a question (its message or the bot's Q post)."""

    id: int
    question_id: int
    community_id: int
    author_id: int
    message_id: int
    text: str
    created_at: dt.datetime


class FaqEntry(_Row):
    """A question and answer kept by the community's admins."""

    id: int
    community_id: int
    number: int
    question: str
    answer: str
    created_by: int
    created_at: dt.datetime
    deleted_at: dt.datetime | None
