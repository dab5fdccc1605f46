"""Reading Q&A: one question with its accepted answer, pages of open questions and FAQ entries."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

from bot.errors import NotFound
from storage.db import Database
from storage.models_qa import Answer, FaqEntry, Question

T = TypeVar("T")


@dataclass(frozen=True)
class QuestionView:
    """A question with the names and texts its post and /q show."""

    question: Question
    asker_name: str
    answer: Answer | None = None
    answerer_name: str | None = None
    faq: FaqEntry | None = None  # the entry that solved it, else the one offered as an answer


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list; page counts from 0."""

    items: list[T]
    page: int
    pages: int
    total: int


async def get_question_view(
    db: Database, community_id: int, *, number: int | None = None, question_id: int | None = None
) -> QuestionView:
    """Return Q#number (or the question with this id) of a community with its accepted answer."""
    async with db.read() as repos:
        if number is not None:
            question = await repos.questions.by_number(community_id, number)
        else:
            question = await repos.questions.get(question_id or 0)
        if question is None or question.community_id != community_id:
            raise NotFound("qa.not_found")
        answer = await repos.answers.get(question.accepted_answer_id) if question.accepted_answer_id else None
        names = await repos.users.get_many({question.asker_id} | ({answer.author_id} if answer else set()))
        faq_id = question.faq_id or question.offered_faq_id
        faq = (await repos.faq.get_many([faq_id])).get(faq_id) if faq_id else None
    asker = names.get(question.asker_id)
    answerer = names.get(answer.author_id) if answer else None
    return QuestionView(
        question,
        asker.full_name if asker else str(question.asker_id),
        answer,
        answerer.full_name if answerer else None,
        faq,
    )


async def get_open_questions(db: Database, community_id: int, page: int, size: int) -> Page[Question]:
    """Return a page of the community's open questions, newest first (page clamped to range)."""
    async with db.read() as repos:
        total = await repos.questions.count_open(community_id)
        pages = max(1, -(-total // size))
        page = min(max(page, 0), pages - 1)
        items = await repos.questions.list_open(community_id, page * size, size)
    return Page(items, page, pages, total)


async def get_faq_entries(db: Database, community_id: int, page: int, size: int) -> Page[FaqEntry]:
    """Return a page of the community's FAQ entries by number (page clamped to range)."""
    async with db.read() as repos:
        total = await repos.faq.count(community_id)
        pages = max(1, -(-total // size))
        page = min(max(page, 0), pages - 1)
        items = await repos.faq.list(community_id, page * size, size)
    return Page(items, page, pages, total)


async def get_faq_entry(db: Database, community_id: int, number: int) -> FaqEntry:
    """Return FAQ entry number of a community, or raise NotFound."""
    async with db.read() as repos:
        entry = await repos.faq.by_number(community_id, number)
    if entry is None:
        raise NotFound("faq.not_found")
    return entry
