"""TF-IDF similarity over word and character n-grams, kept up to date without refitting.

Documents are hashed (scikit-learn's HashingVectorizer: no vocabulary to fit, so a new
document is vectorised on its own), once with a word analyzer and once with a `char_wb`
analyzer so that Chinese text without spaces still matches on character bigrams. IDF
weights come from the document frequencies at the last refresh; documents added since
are weighted with those and searched as a small tail until the next refresh, which is
cheap (no re-vectorising) and can run in a worker thread (`snapshot` → `compute` →
`install`). Each analyzer's block is L2-normalised and scaled by the square root of its
weight, so a dot product is the weighted mean of the two cosine similarities.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import HashingVectorizer

KINDS = ("q", "a", "f", "fa")  # question, accepted answer, FAQ question, FAQ answer
_KIND_CODE = {kind: code for code, kind in enumerate(KINDS)}
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_N_FEATURES = 2**20
# CJK ideographs and kana are words of one character (bigrams come from ngram_range);
# other scripts split on non-word characters as usual.
_CJK = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
TOKEN_PATTERN = rf"[{_CJK}]|[^\W_{_CJK}]+"


def preprocess(text: str) -> str:
    """Lower-case and turn punctuation (ASCII or CJK) into spaces."""
    return _NON_WORD.sub(" ", text.lower()).strip()


@dataclass(frozen=True)
class Doc:
    """One indexed text: `kind` and `ref` (a database id) identify it."""

    kind: str
    ref: int
    text: str
    suggest: bool = False


@dataclass(frozen=True)
class Hit:
    """A document and its cosine similarity to the query."""

    kind: str
    ref: int
    score: float


class Vectorizer:
    """The two stateless hashing analyzers; shared by every index."""

    def __init__(self) -> None:
        common = {"n_features": _N_FEATURES, "alternate_sign": False, "norm": None, "dtype": np.float32,
                  "preprocessor": preprocess}
        self.word = HashingVectorizer(analyzer="word", ngram_range=(1, 2), token_pattern=TOKEN_PATTERN, **common)
        self.char = HashingVectorizer(analyzer="char_wb", ngram_range=(2, 3), **common)

    def counts(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Return raw term counts (word block, char block) for the texts."""
        return self.word.transform(texts).tocsr(), self.char.transform(texts).tocsr()


@dataclass(frozen=True)
class Weights:
    """A refreshed state: the first `n` documents weighted with IDF from their own counts."""

    n: int
    idf_word: np.ndarray
    idf_char: np.ndarray
    word_t: sp.csr_matrix  # features x documents, for fast query products
    char_t: sp.csr_matrix
    counts_word: sp.csr_matrix
    counts_char: sp.csr_matrix


@dataclass(frozen=True)
class Snapshot:
    """What a refresh needs, safe to read from another thread (blocks are never mutated)."""

    n: int
    word_blocks: tuple[sp.csr_matrix, ...]
    char_blocks: tuple[sp.csr_matrix, ...]
    word_weight: float


def _idf(counts: sp.csr_matrix, n: int) -> np.ndarray:
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1.0 + n) / (1.0 + df)) + 1.0).astype(np.float32)


def _weigh(counts: sp.csr_matrix, idf: np.ndarray, scale: float) -> sp.csr_matrix:
    """Return rows weighted by IDF, L2-normalised and multiplied by scale."""
    out = counts.copy()
    out.data = out.data * idf[out.indices]
    norms = np.sqrt(np.bincount(np.repeat(np.arange(out.shape[0]), np.diff(out.indptr)),
                                weights=out.data.astype(np.float64) ** 2, minlength=out.shape[0]))
    norms[norms == 0] = 1.0
    out.data = (out.data / np.repeat(norms, np.diff(out.indptr)) * scale).astype(np.float32)
    return out


def compute(snapshot: Snapshot) -> Weights:
    """Fit IDF on the snapshot's counts and weight them (pure; run it in a thread)."""
    n = snapshot.n
    counts_word = sp.vstack(snapshot.word_blocks, format="csr") if snapshot.word_blocks else _empty()
    counts_char = sp.vstack(snapshot.char_blocks, format="csr") if snapshot.char_blocks else _empty()
    idf_word, idf_char = _idf(counts_word, n), _idf(counts_char, n)
    word = _weigh(counts_word, idf_word, np.sqrt(snapshot.word_weight))
    char = _weigh(counts_char, idf_char, np.sqrt(1.0 - snapshot.word_weight))
    return Weights(n, idf_word, idf_char, word.T.tocsr(), char.T.tocsr(), counts_word, counts_char)


def _empty() -> sp.csr_matrix:
    return sp.csr_matrix((0, _N_FEATURES), dtype=np.float32)


class SimilarityIndex:
    """One community's documents: append, flag, remove, query; refresh IDF in batches."""

    def __init__(self, vectorizer: Vectorizer, *, word_weight: float = 0.5, refresh_after: int = 200) -> None:
        self._vec = vectorizer
        self._word_weight = word_weight
        self.refresh_after = refresh_after
        self._rows: dict[tuple[str, int], int] = {}
        self._kind = np.zeros(64, dtype=np.int8)
        self._ref = np.zeros(64, dtype=np.int64)
        self._live = np.zeros(64, dtype=bool)
        self._suggest = np.zeros(64, dtype=bool)
        self._word_blocks: list[sp.csr_matrix] = []
        self._char_blocks: list[sp.csr_matrix] = []
        self._weights = compute(Snapshot(0, (), (), word_weight))
        self._tail: tuple[sp.csr_matrix, sp.csr_matrix] | None = None

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def pending(self) -> int:
        """Documents added since the last refresh (weighted with older IDF)."""
        return len(self._rows) - self._weights.n

    @property
    def needs_refresh(self) -> bool:
        """Tell whether enough documents arrived to refresh the IDF weights."""
        return self.pending >= self.refresh_after

    def add(self, docs: Iterable[Doc]) -> int:
        """Vectorise and append documents not indexed yet; return how many were new."""
        unique: dict[tuple[str, int], Doc] = {}
        for doc in docs:
            if (doc.kind, doc.ref) not in self._rows:
                unique.setdefault((doc.kind, doc.ref), doc)
        fresh = list(unique.values())
        if not fresh:
            return 0
        word, char = self._vec.counts([d.text for d in fresh])
        start = len(self._rows)
        self._grow(start + len(fresh))
        for offset, doc in enumerate(fresh):
            row = start + offset
            self._rows[(doc.kind, doc.ref)] = row
            self._kind[row] = _KIND_CODE[doc.kind]
            self._ref[row] = doc.ref
            self._live[row] = True
            self._suggest[row] = doc.suggest
        self._word_blocks.append(word)
        self._char_blocks.append(char)
        self._tail = None
        return len(fresh)

    def set_suggest(self, kind: str, ref: int, suggest: bool) -> None:
        """Make a document eligible (or not) for suggestions."""
        row = self._rows.get((kind, ref))
        if row is not None:
            self._suggest[row] = suggest

    def remove(self, kind: str, ref: int) -> None:
        """Hide a document from every query (its row stays until a rebuild)."""
        row = self._rows.get((kind, ref))
        if row is not None:
            self._live[row] = False

    def query(
        self, text: str, *, kinds: Iterable[str] = KINDS, suggest_only: bool = False, limit: int = 5,
        min_score: float = 0.0,
    ) -> list[Hit]:
        """Return the best live documents of these kinds, best first."""
        n = len(self._rows)
        if n == 0 or not text.strip():
            return []
        scores = self.scores(text)
        mask = self._live[:n] & np.isin(self._kind[:n], [_KIND_CODE[k] for k in kinds])
        if suggest_only:
            mask &= self._suggest[:n]
        scores = np.where(mask, scores, -1.0)
        candidates = np.flatnonzero(scores >= max(min_score, 1e-9))
        if len(candidates) > limit:
            candidates = candidates[np.argpartition(-scores[candidates], limit - 1)[:limit]]
        ranked = candidates[np.argsort(-scores[candidates], kind="stable")]
        return [Hit(KINDS[self._kind[i]], int(self._ref[i]), float(scores[i])) for i in ranked]

    def scores(self, text: str) -> np.ndarray:
        """Return the query's cosine similarity to every document, by row."""
        weights = self._weights
        word, char = self._weigh_rows(*self._vec.counts([text]), weights)
        main = (word @ weights.word_t).toarray().ravel() + (char @ weights.char_t).toarray().ravel()
        if self.pending == 0:
            return main.astype(np.float64)
        tail_word_t, tail_char_t = self._tail_rows()
        tail = (word @ tail_word_t).toarray().ravel() + (char @ tail_char_t).toarray().ravel()
        return np.concatenate([main, tail]).astype(np.float64)

    # --- refreshing ----------------------------------------------------------------------------

    def snapshot(self) -> Snapshot:
        """Capture the current counts for `compute` (cheap; the blocks are shared, not copied)."""
        return Snapshot(len(self._rows), tuple(self._word_blocks), tuple(self._char_blocks), self._word_weight)

    def install(self, weights: Weights) -> None:
        """Switch to refreshed weights; documents added meanwhile stay in the tail."""
        if weights.n < self._weights.n:
            return
        later_word = _rows_after(self._word_blocks, weights.n)
        later_char = _rows_after(self._char_blocks, weights.n)
        self._word_blocks = [weights.counts_word, *later_word]
        self._char_blocks = [weights.counts_char, *later_char]
        self._weights = weights
        self._tail = None

    def refresh(self) -> None:
        """Refresh IDF weights now, in this thread."""
        self.install(compute(self.snapshot()))

    # --- internals -----------------------------------------------------------------------------

    def _weigh_rows(
        self, word: sp.csr_matrix, char: sp.csr_matrix, weights: Weights
    ) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        scale_word, scale_char = np.sqrt(self._word_weight), np.sqrt(1.0 - self._word_weight)
        return _weigh(word, weights.idf_word, scale_word), _weigh(char, weights.idf_char, scale_char)

    def _tail_rows(self) -> tuple[sp.csr_matrix, sp.csr_matrix]:
        """Return the documents added since the refresh, weighted and transposed like the main part."""
        if self._tail is None:
            n = self._weights.n
            word = sp.vstack(_rows_after(self._word_blocks, n), format="csr")
            char = sp.vstack(_rows_after(self._char_blocks, n), format="csr")
            word, char = self._weigh_rows(word, char, self._weights)
            self._tail = (word.T.tocsr(), char.T.tocsr())
        return self._tail

    def _grow(self, size: int) -> None:
        capacity = len(self._kind)
        if size <= capacity:
            return
        while capacity < size:
            capacity *= 2
        for name in ("_kind", "_ref", "_live", "_suggest"):
            old = getattr(self, name)
            new = np.zeros(capacity, dtype=old.dtype)
            new[: len(old)] = old
            setattr(self, name, new)


def _rows_after(blocks: Sequence[sp.csr_matrix], n: int) -> list[sp.csr_matrix]:
    """Return the rows from index n on, as a list of blocks."""
    out: list[sp.csr_matrix] = []
    start = 0
    for block in blocks:
        end = start + block.shape[0]
        if end > n:
            out.append(block if start >= n else block[n - start :])
        start = end
    return out
