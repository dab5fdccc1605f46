"""The recommender's fast paths agree with the plain ones: batched picks, Cholesky inverses, blocked Gram products."""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from bot.recommend import hybrid
from bot.recommend.collab import CollabParams, gram, spd_inverse
from bot.recommend.community import fit_community
from bot.recommend.protocol import Interactions
from bot.services.recommend import INTEREST, OPENED, POPULAR, Picker, Reach, recommend
from storage.models_recommend import CatalogItem, CommunitySignals
from tests.recommend.test_model import T0, community, digest_items


def test_a_digest_runs_batched_picks_are_each_members_own_picks() -> None:
    base = community(members=80)
    items = [*base.items, CatalogItem(41, "web sockets", "live web", ("web",), T0)]  # nobody opened it yet
    interests = {user: (("web",) if user % 3 else ("python", "Python")) for user in range(1, 90, 2)}
    model = fit_community(1, CommunitySignals(items, base.signals, interests, []), T0, len(base.signals))
    published = digest_items(items[2:], **{"7": {"creator": 3}, "11": {"members": True}, "15": {"stars": 5}})
    published.append(digest_items([CatalogItem(50, "after the fit", "", ("ml",), T0)])[0])  # not in the model
    members = [(user, interests.get(user, ())) for user in range(1, 90)]
    picker = Picker(model, published)
    picker.prepare(members)
    reach = Reach(levels=5, level=1, member=False, plans=False)
    reasons, shown = set(), set()
    for user, tags in members:
        skip = {user % 40 + 1, 21}
        for k in (3, 10):  # 10: two per tag exhausts the model's items, then the item published after the fit
            batched = picker.picks(user, tags, skip, k, reach)
            assert batched == recommend(model, published, user, tags, skip, k, reach)
            assert {p.item.id for p in batched}.isdisjoint(skip | {1, 2, 11})  # held, unpublished, unreachable
            reasons |= {p.reason for p in batched}
            shown |= {p.item.id for p in batched}
    assert {OPENED, INTEREST, POPULAR} <= reasons and 50 in shown


def test_the_cholesky_inverse_and_the_blocked_gram_match_the_plain_ones() -> None:
    rng = np.random.default_rng(3)
    x = sp.random(300, 130, density=0.05, format="csr", random_state=4)
    g = gram(x, block=32)
    assert np.allclose(g, (x.T @ x).toarray())
    g[np.diag_indices_from(g)] += 2.0 + rng.random(130)
    expected = np.linalg.inv(g)
    inverse = spd_inverse(g.copy(), block=48)
    assert np.allclose(inverse, expected) and np.array_equal(inverse, inverse.T)


def test_tuning_fits_each_candidate_once(monkeypatch) -> None:
    fits = []
    real = hybrid.fit_parts
    monkeypatch.setattr(hybrid, "fit_parts", lambda data, blend, *a: fits.append(blend) or real(data, blend, *a))
    rng = np.random.default_rng(5)
    users, items = rng.integers(0, 60, 900), rng.integers(0, 40, 900)
    data = Interactions(users, items, 60, 40, rng.integers(1, 6, 900).astype(float), rng.random(900))
    grid = (CollabParams("ease", 5.0), CollabParams("knn", neighbours=10), CollabParams("dlae", 4.0, 0.5))
    blend = hybrid.tune(data, "time", grid=grid)
    assert len(fits) == len(grid) + len(hybrid.RATING_GAINS) - 1  # every collab candidate, then the other gains
    assert len(blend.tried) == len(fits) + len(hybrid.CONTENT_WEIGHTS[:1]) * len(hybrid.POPULARITY_WEIGHTS)
