"""The FAQ: entries kept by admins, suggested to new questions and found by /search."""

from __future__ import annotations

from bot.errors import NotFound, Usage
from bot.services.qa_search import faq_docs
from bot.services.questions import QaEnv
from storage.models_qa import FaqEntry

MIN_FAQ_CHARS = 3


def parse_faq_add(text: str) -> tuple[str, str]:
    """Split `<question> | <answer>`; raise Usage unless both sides have text."""
    if "|" not in text:
        raise Usage("faq.usage")
    question, answer = (part.strip() for part in text.split("|", 1))
    if len(question) < MIN_FAQ_CHARS or len(answer) < MIN_FAQ_CHARS:
        raise Usage("faq.usage")
    return question, answer


async def do_add_faq(env: QaEnv, community_id: int, actor_id: int, question: str, answer: str) -> FaqEntry:
    """Add a FAQ entry (admins; the caller checked), audited, and index it."""
    now = env.clock.now()
    async with env.db.transaction() as repos:
        if await repos.communities.get(community_id) is None:
            raise NotFound()
        entry = await repos.faq.create(community_id, question, answer, actor_id, now)
        await repos.audit.add(community_id, actor_id, "faq.add", None, {"number": entry.number}, now)
    await env.index.add(community_id, faq_docs(entry.id, entry.question, entry.answer))
    return entry


async def do_delete_faq(env: QaEnv, community_id: int, actor_id: int, number: int) -> FaqEntry:
    """Delete FAQ entry number (admins; the caller checked), audited, and drop it from the index."""
    now = env.clock.now()
    async with env.db.transaction() as repos:
        entry = await repos.faq.by_number(community_id, number)
        if entry is None or not await repos.faq.delete(entry.id, now):
            raise NotFound("faq.not_found")
        await repos.audit.add(community_id, actor_id, "faq.delete", None, {"number": number}, now)
    await env.index.remove_faq(community_id, entry.id)
    return entry
