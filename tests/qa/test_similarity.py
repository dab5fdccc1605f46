"""The similarity index: word and character n-grams, incremental adds, refreshes, filters."""

from __future__ import annotations

import numpy as np
import pytest

from bot.similarity import Doc, SimilarityIndex, Vectorizer, compute

DOCS = [
    Doc("q", 1, "How do I install Python packages behind a corporate proxy?", suggest=True),
    Doc("q", 2, "Why is my SQLite database locked when two writers run?", suggest=True),
    Doc("q", 3, "What is the best way to learn async programming?", suggest=False),
    Doc("q", 4, "如何在代理后面安装Python包？", suggest=True),
    Doc("q", 5, "数据库被锁定了怎么办", suggest=True),
    Doc("f", 9, "How do I reset my password?", suggest=True),
    Doc("fa", 9, "Send /reset in a private chat with the bot.", suggest=False),
]


@pytest.fixture(scope="module")
def vectorizer() -> Vectorizer:
    return Vectorizer()


def _index(vectorizer: Vectorizer, docs: list[Doc] = DOCS, refresh_after: int = 100) -> SimilarityIndex:
    index = SimilarityIndex(vectorizer, refresh_after=refresh_after)
    index.add(docs)
    index.refresh()
    return index


def test_near_duplicates_rank_first_in_english_and_chinese(vectorizer: Vectorizer) -> None:
    index = _index(vectorizer)
    english = index.query("How can I install python packages behind a proxy", limit=3)
    chinese = index.query("怎么在公司代理后面安装Python包", limit=3)
    assert english[0].ref == 1 and english[0].score > 0.5
    assert chinese[0].ref == 4 and chinese[0].score > 0.5
    assert index.query("数据库锁定", limit=1)[0].ref == 5


def test_unrelated_text_scores_low(vectorizer: Vectorizer) -> None:
    index = _index(vectorizer)
    assert all(hit.score < 0.3 for hit in index.query("pasta recipes for a cold evening"))


def test_filters_by_kind_and_suggestion_flag(vectorizer: Vectorizer) -> None:
    index = _index(vectorizer)
    hits = index.query("learn async programming", kinds=("q",), suggest_only=True, limit=10)
    assert 3 not in {h.ref for h in hits}
    index.set_suggest("q", 3, True)
    assert index.query("learn async programming", kinds=("q",), suggest_only=True, limit=1)[0].ref == 3
    assert {h.kind for h in index.query("reset password bot", kinds=("f", "fa"), limit=5)} == {"f", "fa"}


def test_removed_documents_are_never_returned(vectorizer: Vectorizer) -> None:
    index = _index(vectorizer)
    index.remove("f", 9)
    assert all(h.kind != "f" for h in index.query("How do I reset my password?", limit=10))


def test_adding_twice_is_a_no_op(vectorizer: Vectorizer) -> None:
    index = _index(vectorizer)
    assert index.add(DOCS[:2]) == 0
    assert len(index) == len(DOCS)


def test_new_documents_are_found_before_a_refresh_and_the_same_after(vectorizer: Vectorizer) -> None:
    index = _index(vectorizer)
    new = Doc("q", 42, "How do I configure pytest fixtures for asyncio tests?", suggest=True)
    index.add([new])
    assert index.pending == 1 and not index.needs_refresh
    before = index.query("pytest asyncio fixtures", limit=1)
    index.refresh()
    after = index.query("pytest asyncio fixtures", limit=1)
    assert index.pending == 0
    assert before[0].ref == after[0].ref == 42


def test_refreshed_weights_equal_a_fresh_build(vectorizer: Vectorizer) -> None:
    grown = _index(vectorizer, DOCS[:3])
    grown.add(DOCS[3:])
    grown.refresh()
    fresh = _index(vectorizer)
    query = "install packages proxy 代理"
    assert np.allclose(grown.scores(query), fresh.scores(query), atol=1e-5)


def test_background_refresh_keeps_documents_added_meanwhile(vectorizer: Vectorizer) -> None:
    index = _index(vectorizer, DOCS[:4], refresh_after=1)
    index.add([DOCS[4]])
    assert index.needs_refresh
    snapshot = index.snapshot()
    index.add(DOCS[5:])  # arrives while compute() runs in a worker thread
    index.install(compute(snapshot))
    assert index.pending == 2
    assert index.query("reset my password", limit=1)[0].ref == 9


def test_empty_index_and_empty_query(vectorizer: Vectorizer) -> None:
    index = SimilarityIndex(vectorizer)
    assert index.query("anything at all") == []
    assert _index(vectorizer).query("   ") == []
