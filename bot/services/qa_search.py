"""Similar questions and search: one similarity index per community, loaded on first use."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterable
from dataclasses import dataclass

from bot.config import QaConfig
from bot.similarity import Doc, Hit, SimilarityIndex, Vectorizer, compute
from storage.db import Database
from storage.models_qa import Answer, FaqEntry, Question

log = logging.getLogger(__name__)


def question_doc(question_id: int, text: str, *, solved: bool = False) -> Doc:
    """Return the index document of a question (suggested once it has an accepted answer)."""
    return Doc("q", question_id, text, suggest=solved)


def accepted_doc(question_id: int, text: str) -> Doc:
    """Return the index document of a question's accepted answer."""
    return Doc("a", question_id, text)


def faq_docs(entry_id: int, question: str, answer: str) -> list[Doc]:
    """Return the index documents of a FAQ entry (its question is suggested)."""
    return [Doc("f", entry_id, question, suggest=True), Doc("fa", entry_id, answer)]


class QaIndex:
    """Per-community similarity indexes kept in memory and up to date with the database."""

    def __init__(self, db: Database, config: QaConfig) -> None:
        self._db = db
        self._config = config
        self._vectorizer = Vectorizer()
        self._indexes: dict[int, SimilarityIndex] = {}
        self._locks: dict[int, asyncio.Lock] = {}
        self._refreshing: dict[int, asyncio.Task[None]] = {}

    async def get(self, community_id: int) -> SimilarityIndex:
        """Return the community's index, building it from the database the first time."""
        index = self._indexes.get(community_id)
        if index is not None:
            return index
        async with self._locks.setdefault(community_id, asyncio.Lock()):
            index = self._indexes.get(community_id)
            if index is None:
                docs = await self._load(community_id)
                # Vectorising thousands of texts takes a while; other chats keep being served.
                index = await asyncio.to_thread(self._build, docs)
                self._indexes[community_id] = index
                log.info("Q&A index of community %s built with %d documents", community_id, len(index))
        return index

    async def add(self, community_id: int, docs: Iterable[Doc]) -> None:
        """Index new documents (already committed); refresh IDF in the background when due."""
        index = await self.get(community_id)
        index.add(docs)
        self._schedule_refresh(community_id, index)

    async def mark_solved(self, community_id: int, question_id: int, question: str, answer: str | None) -> None:
        """Index a solved question's accepted answer and offer the question as a suggestion."""
        index = await self.get(community_id)
        index.add([question_doc(question_id, question)])
        if answer is not None:
            index.add([accepted_doc(question_id, answer)])
            index.set_suggest("q", question_id, True)
        self._schedule_refresh(community_id, index)

    async def remove_faq(self, community_id: int, entry_id: int) -> None:
        """Hide a deleted FAQ entry."""
        index = await self.get(community_id)
        index.remove("f", entry_id)
        index.remove("fa", entry_id)

    async def close(self) -> None:
        """Wait for background refreshes to finish."""
        tasks = list(self._refreshing.values())
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)

    def _build(self, docs: list[Doc]) -> SimilarityIndex:
        index = SimilarityIndex(
            self._vectorizer, word_weight=self._config.word_weight, refresh_after=self._config.index_refresh_docs
        )
        index.add(docs)
        index.refresh()
        return index

    def _schedule_refresh(self, community_id: int, index: SimilarityIndex) -> None:
        if not index.needs_refresh or community_id in self._refreshing:
            return
        task = asyncio.get_running_loop().create_task(self._refresh(community_id, index))
        self._refreshing[community_id] = task

    async def _refresh(self, community_id: int, index: SimilarityIndex) -> None:
        try:
            weights = await asyncio.to_thread(compute, index.snapshot())
            index.install(weights)
        except Exception:  # a failed refresh only leaves older weights in place
            log.exception("Q&A index refresh of community %s failed", community_id)
        finally:
            self._refreshing.pop(community_id, None)

    async def _load(self, community_id: int) -> list[Doc]:
        async with self._db.read() as repos:
            questions = await repos.questions.texts(community_id)
            accepted = await repos.answers.accepted_texts(community_id)
            faq = await repos.faq.texts(community_id)
        with_answer = {question_id for question_id, _ in accepted}
        docs = [question_doc(qid, text, solved=qid in with_answer) for qid, text, _status in questions]
        docs += [accepted_doc(qid, text) for qid, text in accepted]
        for entry_id, question, answer in faq:
            docs += faq_docs(entry_id, question, answer)
        return docs


@dataclass(frozen=True)
class SuggestedQuestion:
    """A solved question like the new one, with its accepted answer."""

    question: Question
    answer: Answer | None
    score: float


@dataclass(frozen=True)
class SuggestedFaq:
    """A FAQ entry like the new question."""

    entry: FaqEntry
    score: float


@dataclass(frozen=True)
class Suggestions:
    """What /ask offers: similar solved questions and FAQ entries, and maybe a direct answer."""

    questions: list[SuggestedQuestion]
    faq: list[SuggestedFaq]
    faq_answer: FaqEntry | None

    def __bool__(self) -> bool:
        return bool(self.questions or self.faq)


async def get_suggestions(db: Database, index: QaIndex, config: QaConfig, community_id: int, text: str) -> Suggestions:
    """Return solved questions and FAQ entries similar to text, best first."""
    similar = await index.get(community_id)
    hits = similar.query(
        text, kinds=("q", "f"), suggest_only=True, limit=config.max_suggestions, min_score=config.suggest_threshold
    )
    if not hits:
        return Suggestions([], [], None)
    questions, answers, entries = await _load_hits(db, hits)
    found_questions = [
        SuggestedQuestion(questions[h.ref], answers.get(questions[h.ref].accepted_answer_id or 0), h.score)
        for h in hits
        if h.kind == "q" and h.ref in questions
    ]
    found_faq = [SuggestedFaq(entries[h.ref], h.score) for h in hits if h.kind == "f" and h.ref in entries]
    best_faq = found_faq[0] if found_faq else None
    direct = best_faq.entry if best_faq and best_faq.score >= config.faq_answer_threshold else None
    return Suggestions(found_questions, found_faq, direct)


@dataclass(frozen=True)
class SearchResult:
    """One /search match: a question (with its accepted answer, if any) or a FAQ entry."""

    score: float
    question: Question | None = None
    answer: Answer | None = None
    entry: FaqEntry | None = None


async def search(db: Database, index: QaIndex, config: QaConfig, community_id: int, text: str) -> list[SearchResult]:
    """Rank questions, accepted answers and FAQ entries against the words; best first."""
    similar = await index.get(community_id)
    # A question can match through its text and its answer; fetch extra and keep the best.
    hits = similar.query(text, limit=config.search_results * 4, min_score=config.search_threshold)
    best: dict[tuple[str, int], Hit] = {}
    for hit in hits:
        target = ("q" if hit.kind in ("q", "a") else "f", hit.ref)
        if target not in best:
            best[target] = hit
    ranked = list(best.items())[: config.search_results]
    questions, answers, entries = await _load_hits(db, [Hit(kind, ref, h.score) for (kind, ref), h in ranked])
    results: list[SearchResult] = []
    for (kind, ref), hit in ranked:
        if kind == "q" and ref in questions:
            question = questions[ref]
            answer = answers.get(question.accepted_answer_id or 0)
            results.append(SearchResult(hit.score, question=question, answer=answer))
        elif kind == "f" and ref in entries:
            results.append(SearchResult(hit.score, entry=entries[ref]))
    return results


async def _load_hits(
    db: Database, hits: list[Hit]
) -> tuple[dict[int, Question], dict[int, Answer], dict[int, FaqEntry]]:
    async with db.read() as repos:
        questions = await repos.questions.get_many(h.ref for h in hits if h.kind == "q")
        accepted = [q.accepted_answer_id for q in questions.values() if q.accepted_answer_id is not None]
        answers = await repos.answers.get_many(accepted)
        entries = await repos.faq.get_many(h.ref for h in hits if h.kind == "f")
    return questions, answers, {k: v for k, v in entries.items() if v.deleted_at is None}
