"""A community's fitted model: its members' signals as an implicit matrix, item texts, and the tuned blend.

Signal weights: an open counts 1, a purchase or points unlock 2 (the strongest), a grant 1,
a rating adds -2, -1, 0, +0.5 or +1 for 1 to 5 stars (so a 1-2 star rating is negative). A
member's interest tags and the tags their questions and answers mention form a content
profile, which is all a new member has; items nobody opened yet are reached through it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from bot.recommend.collab import CollabParams
from bot.recommend.hybrid import FULL_GRID, SMALL_GRID, Blend, Parts, content_similarity, fit_parts
from bot.recommend.hybrid import standardise, tune
from bot.recommend.protocol import Interactions
from bot.similarity import Vectorizer
from storage.models_recommend import CommunitySignals

WEIGHTS = {"open": 1.0, "stars": 2.0, "points": 2.0, "grant": 1.0}
RATING = {1: -2.0, 2: -1.0, 3: 0.0, 4: 0.5, 5: 1.0}
QA_TAG = 0.5  # weight of a tag a member's question or answer mentions, next to an interest tag's 1
MIN_TUNING_EVENTS, MIN_TUNING_USERS = 200, 20  # below this there is too little held-out data to tune on
FULL_GRID_ITEMS = 1500  # above this many items the nightly fit tries the small grid
# Used until a community has enough signals to tune on: what eval-recs chose on MovieLens-100K,
# and the content weight the cold-start benchmark validates.
DEFAULT_BLEND = Blend(CollabParams("dlae", 8.0, 0.5, 0.25), content=0.3, popularity=0.15)
CHUNK = 256  # members scored in one batch of matrix products

_vectorizer = Vectorizer()


@dataclass(frozen=True)
class ContentSpace:
    """TF-IDF over word and character n-grams (so Chinese works), fitted on the catalog's texts."""

    idf_word: np.ndarray
    idf_char: np.ndarray

    @classmethod
    def fit(cls, texts: Sequence[str]) -> ContentSpace:
        word, char = _vectorizer.counts(list(texts) or [""])
        return cls(_idf(word), _idf(char))

    def vectors(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Return one L2-normalised row per text (both analyzers weighted equally)."""
        word, char = _vectorizer.counts(list(texts))
        word = normalize(word.multiply(self.idf_word).tocsr()) * np.sqrt(0.5)
        char = normalize(char.multiply(self.idf_char).tocsr()) * np.sqrt(0.5)
        return sp.hstack([word, char], format="csr", dtype=np.float32)


def _idf(counts: sp.csr_matrix) -> np.ndarray:
    df = np.bincount(counts.indices, minlength=counts.shape[1])
    return (np.log((1 + counts.shape[0]) / (1 + df)) + 1).astype(np.float32)


def item_text(title: str, description: str, tags: Iterable[str]) -> str:
    """The text the content model reads for an item."""
    return " ".join([title, description, *tags])


@dataclass
class CommunityModel:
    """One community's fitted model, kept in memory and scored per member or per batch of members."""

    community_id: int
    fitted_at: dt.datetime
    signal_count: int
    catalog: tuple[int, int]  # (published items, highest id) it was fitted on
    item_ids: np.ndarray
    columns: dict[int, int]  # item id → column
    rows: dict[int, int]  # member id → row
    parts: Parts
    space: ContentSpace
    signals: np.ndarray  # events per item (an item with none is "new")
    qa_tags: dict[int, tuple[str, ...]]
    tuned: bool
    _tags: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        # One empty row at the end stands for members without signals, so any batch is one slice.
        self._x = sp.vstack([self.parts.x, sp.csr_matrix((1, len(self.item_ids)), dtype=np.float32)], format="csr")
        self.new = self.signals == 0  # the items without any signal yet
        self._any_new = bool(self.new.any())

    @property
    def blend(self) -> Blend:
        return self.parts.blend

    def score(self, user_ids: Sequence[int], interests: Sequence[Sequence[str]]) -> MemberScores:
        """Score every item for these members (one row each): the blend and its parts, standardised."""
        x = self._x[[self.rows.get(u, self._x.shape[0] - 1) for u in user_ids]]
        active = np.diff(x.indptr) > 0
        collab = standardise(np.asarray(x @ self.parts.b, dtype=np.float32))
        content = np.asarray(x @ self.parts.similar, dtype=np.float32)
        self._add_tags(content, user_ids, interests)
        similar = standardise(content)
        blend = self.blend
        # Members without signals: content (their tags) against popularity, as tuned for them.
        content_weight = np.where(active, blend.content, blend.cold_content).astype(np.float32)[:, None]
        popularity_weight = np.where(active, blend.popularity, 1.0).astype(np.float32)[:, None]
        total = collab + content_weight * similar + popularity_weight * self.parts.popularity.astype(np.float32)
        if self._any_new and active.any():
            # Nobody opened these yet: the collaborative part knows nothing of them (not that they are
            # bad), so the content part stands in for it, and no popularity penalty applies.
            rows = np.flatnonzero(active)
            total[np.ix_(rows, np.flatnonzero(self.new))] = (1.0 + content_weight[rows]) * similar[rows][:, self.new]
        return MemberScores(total, collab, content_weight * similar, x)

    def _add_tags(self, content: np.ndarray, user_ids: Sequence[int], interests: Sequence[Sequence[str]]) -> None:
        """Add each member's tags' cosines (interest tags 1, Q&A tags half) to their content scores."""
        weighted = [[*((t, 1.0) for t in tags), *((t, QA_TAG) for t in self.qa_tags.get(u, ()))]
                    for u, tags in zip(user_ids, interests, strict=True)]
        tags = sorted({tag for pairs in weighted for tag, _ in pairs})
        if not tags:
            return
        at = {tag: i for i, tag in enumerate(tags)}
        pick = np.zeros((len(user_ids), len(tags)), dtype=np.float32)
        for row, pairs in enumerate(weighted):
            for tag, weight in pairs:
                pick[row, at[tag]] += weight
        content += pick @ np.stack([self.tag_scores(tag) for tag in tags])

    def rank(
        self, user_ids: Sequence[int], interests: Sequence[Sequence[str]], count: int,
        hidden: np.ndarray | None = None, chunk: int = CHUNK,
    ) -> list[Ranked]:
        """Each member's `count` best items (their own and `hidden` ones left out), scored in batches."""
        found: list[Ranked] = []
        n = len(self.item_ids)
        for start in range(0, len(user_ids), chunk):
            scores = self.score(user_ids[start:start + chunk], interests[start:start + chunk])
            total, x = scores.total, scores.rows
            total[np.repeat(np.arange(x.shape[0]), np.diff(x.indptr)), x.indices] = -np.inf
            if hidden is not None and hidden.any():
                total[:, hidden] = -np.inf
            if count < n:
                top = np.argpartition(-total, count - 1, axis=1)[:, :count]
            else:
                top = np.tile(np.arange(n), (len(total), 1))
            top = np.take_along_axis(top, np.argsort(-np.take_along_axis(total, top, 1), axis=1, kind="stable"), 1)
            for row in range(len(total)):
                columns = top[row][np.isfinite(total[row, top[row]])]
                own = slice(x.indptr[row], x.indptr[row + 1])
                found.append(Ranked(columns, scores.collab[row, columns], scores.content[row, columns],
                                    x.indices[own], x.data[own], count >= n or len(columns) < count))
        return found

    def tag_scores(self, tag: str) -> np.ndarray:
        """Cosine of one tag's text with every item (cached: members share their tags)."""
        found = self._tags.get(tag)
        if found is None:
            found = np.asarray((self.space.vectors([tag]) @ self.parts.items.T).todense(), dtype=np.float32)[0]
            self._tags[tag] = found
        return found

    def because(self, ranked: Ranked, column: int) -> int | None:
        """Return the member's item that adds most to this item's collaborative score, if any."""
        if not len(ranked.seen):
            return None
        contributions = ranked.weights * self.parts.b[ranked.seen, column]
        best = int(np.argmax(contributions))
        return int(self.item_ids[ranked.seen[best]]) if contributions[best] > 0 else None


@dataclass(frozen=True)
class MemberScores:
    """Members' scores over the model's items (a row each), and the parts reasons are read from."""

    total: np.ndarray
    collab: np.ndarray  # standardised collaborative part
    content: np.ndarray  # weighted, standardised content part
    rows: sp.csr_matrix  # the members' event weights


@dataclass(frozen=True)
class Ranked:
    """One member's best items, best first, with what their reasons are read from."""

    columns: np.ndarray
    collab: np.ndarray  # standardised collaborative score of each
    content: np.ndarray  # weighted content score of each
    seen: np.ndarray  # the member's own items (columns) and their event weights
    weights: np.ndarray
    complete: bool  # every item the member has not seen (and not hidden) is in columns


def fit_community(
    community_id: int, data: CommunitySignals, now: dt.datetime, signal_count: int, seed: int = 42
) -> CommunityModel:
    """Fit a community's model; the blend is tuned on held-out signals when there are enough."""
    item_ids = np.array([item.id for item in data.items], dtype=np.int64)
    columns = {int(item_id): col for col, item_id in enumerate(item_ids)}
    cells: dict[tuple[int, int], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for s in data.signals:
        col = columns.get(s.item_id)
        if col is None:
            continue  # unpublished since
        weight = RATING.get(s.value, 0.0) if s.kind == "rating" else WEIGHTS.get(s.kind, 1.0)
        cell = cells[(s.user_id, col)]
        cell[0] += weight
        cell[1] = max(cell[1], s.at.timestamp())
    members = sorted({u for u, _ in cells} | set(data.interests) | {u for u, _ in data.qa})
    rows = {user_id: row for row, user_id in enumerate(members)}
    keys = list(cells)
    users = np.array([rows[u] for u, _ in keys], dtype=np.int64)
    cols = np.array([c for _, c in keys], dtype=np.int64)
    values = np.array([cells[key][0] for key in keys])
    events = Interactions(users, cols, len(members), len(item_ids), None, np.array([cells[k][1] for k in keys]))
    space = ContentSpace.fit([item_text(i.title, i.description, i.tags) for i in data.items])
    items = space.vectors([item_text(i.title, i.description, i.tags) for i in data.items])
    qa_tags = _qa_tags(data, {t for i in data.items for t in i.tags})
    profiles, tags = _profiles(rows, data.interests, qa_tags, len(members))
    tag_items = np.asarray((space.vectors(tags) @ items.T).todense(), dtype=np.float32) if tags else None
    similar = content_similarity(items)
    tuned = len(keys) >= MIN_TUNING_EVENTS and len({u for u, _ in keys}) >= MIN_TUNING_USERS
    blend = DEFAULT_BLEND
    if tuned:
        grid = FULL_GRID if len(item_ids) <= FULL_GRID_ITEMS else SMALL_GRID
        blend = tune(events, "time", seed, 10, grid, values, items, profiles, similar, tag_items)
    parts = fit_parts(events, blend, values, items, profiles, similar, tag_items)
    signals = np.bincount(cols, minlength=len(item_ids)) if len(cols) else np.zeros(len(item_ids), dtype=np.int64)
    catalog = (len(item_ids), int(item_ids.max()) if len(item_ids) else 0)
    model = CommunityModel(community_id, now, signal_count, catalog, item_ids, columns, rows, parts, space, signals,
                           qa_tags, tuned)
    for tag, scores in zip(tags, tag_items if tags else (), strict=True):
        model._tags[tag] = scores  # members' tags are scored once here, not on their first request
    return model


def _qa_tags(data: CommunitySignals, tags: set[str]) -> dict[int, tuple[str, ...]]:
    """The catalog tags each member's questions and answers mention (each mention counts)."""
    folded = {tag.casefold(): tag for tag in tags}
    found: dict[int, list[str]] = defaultdict(list)
    for user_id, text in data.qa:
        lower = text.casefold()
        found[user_id] += [tag for key, tag in folded.items() if key in lower]
    return {user_id: tuple(sorted(set(t))) for user_id, t in found.items() if t}


def _profiles(
    rows: dict[int, int], interests: dict[int, tuple[str, ...]], qa_tags: dict[int, tuple[str, ...]], n: int,
) -> tuple[sp.csr_matrix | None, list[str]]:
    """Each member's tag weights (their interest tags 1, their Q&A tags half), as served, and the tags."""
    weighted = [(rows[u], tag, 1.0) for u in rows for tag in interests.get(u, ())]
    weighted += [(rows[u], tag, QA_TAG) for u in rows for tag in qa_tags.get(u, ())]
    if not weighted:
        return None, []
    tags = sorted({tag for _, tag, _ in weighted})
    at = {tag: i for i, tag in enumerate(tags)}
    pick = sp.csr_matrix(([w for _, _, w in weighted], ([r for r, _, _ in weighted], [at[t] for _, t, _ in weighted])),
                         shape=(n, len(tags)), dtype=np.float32)
    return pick, tags
