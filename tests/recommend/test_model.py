"""The community model and the picks: what may never be recommended, diversity, reasons, cold start, failures."""

from __future__ import annotations

import datetime as dt
import logging

import numpy as np
import pytest

from bot.clock import FakeClock
from bot.config import RecommendConfig
from bot.recommend.community import fit_community
from bot.services import recommend as service
from bot.services.recommend import INTEREST, NEW, OPENED, Reach, Recommender, recommend
from storage.models_engagement import DigestItem
from bot.services.content import ContentSource, PublishSpec, do_open_item, do_publish_item
from storage.models_recommend import CatalogItem, CommunitySignals, Signal
from tests.fixtures import ALICE, BOB, CAROL, GROUP, open_community

T0 = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TAGS = ("python", "web", "data", "books")


def catalog(n: int = 40) -> list[CatalogItem]:
    return [CatalogItem(i, f"{TAGS[i % 4]} lesson {i}", f"about {TAGS[i % 4]}", (TAGS[i % 4],), T0)
            for i in range(1, n + 1)]


def digest_items(items: list[CatalogItem], **overrides: dict[int, dict]) -> list[DigestItem]:
    found = []
    for item in items:
        extra = overrides.get(str(item.id), {})
        found.append(DigestItem(item.id, extra.get("creator", 999), item.title, item.tags, extra.get("stars"),
                                extra.get("points"), extra.get("members", False), extra.get("level"), T0, 0))
    return found


def community(members: int = 60, seed: int = 1) -> CommunitySignals:
    """Members like the items of one tag (by member id), plus a little noise."""
    rng = np.random.default_rng(seed)
    items = catalog()
    signals = []
    for user in range(1, members + 1):
        liked = [i for i in items if i.tags[0] == TAGS[user % 4]]
        for index in rng.choice(len(liked), 6, replace=False):
            item = liked[index]
            signals.append(Signal(user, item.id, "open", 1, T0 + dt.timedelta(hours=int(rng.integers(0, 500)))))
    return CommunitySignals(items, signals, {}, [])


def test_owned_unpublished_made_and_never_reachable_items_are_never_picked() -> None:
    data = community()
    model = fit_community(1, data, T0, len(data.signals))
    published = digest_items(data.items[:-4], **{
        "1": {"creator": 5}, "5": {"members": True}, "9": {"level": 99}, "13": {"stars": 10}, "17": {"points": 5}})
    for user in range(1, 61):
        owned = {21, 25}
        picks = recommend(model, published, user, (), owned, 10, Reach(levels=5, level=1, member=False, plans=False))
        ids = {p.item.id for p in picks}
        opened = {s.item_id for s in data.signals if s.user_id == user}
        assert not ids & (owned | opened | {37, 38, 39, 40})  # held, opened, unpublished (not in the list)
        assert 5 not in ids and 9 not in ids  # members-only without a plan, a level above the top
        assert user != 5 or 1 not in ids  # their own item
        tags = [p.item.tags[0] for p in picks[:5]]
        assert max(tags.count(t) for t in set(tags)) <= 2


def test_picks_follow_taste_and_say_because_you_opened() -> None:
    data = community()
    model = fit_community(1, data, T0, len(data.signals))
    published = digest_items(data.items)
    picks = recommend(model, published, 4, (), set(), 2, None)  # member 4 likes "python"
    assert [p.item.tags[0] for p in picks] == ["python", "python"]
    assert picks[0].reason == OPENED and picks[0].because.startswith("python lesson")


def test_a_member_with_only_interest_tags_gets_them_and_new_items_arrive_through_content() -> None:
    base = community()
    items = [*base.items, CatalogItem(41, "异步编程入门：协程与事件循环", "用 asyncio 写并发程序", ("异步",), T0),
             CatalogItem(42, "数据可视化", "图表", ("图表",), T0)]
    data = CommunitySignals(items, base.signals, {500: ("异步",)}, [])
    model = fit_community(1, data, T0, len(data.signals))
    picks = recommend(model, digest_items(items), 500, ("异步",), set(), 3, None)
    assert picks[0].item.id == 41 and picks[0].reason == NEW and picks[0].tag == "异步"
    tagged = recommend(model, digest_items(items), 501, ("web",), set(), 2, None)
    assert {p.item.tags[0] for p in tagged} == {"web"} and tagged[0].reason == INTEREST


def test_a_low_rating_pushes_similar_items_down() -> None:
    base = community()
    # Member 900 opened two "data" items; rating both 1 star turns the signal negative.
    opened = [Signal(900, 2, "open", 1, T0), Signal(900, 6, "open", 1, T0)]
    liked = fit_community(1, CommunitySignals(base.items, base.signals + opened, {}, []), T0, 1)
    hated = fit_community(1, CommunitySignals(base.items, base.signals + opened + [
        Signal(900, 2, "rating", 1, T0), Signal(900, 6, "rating", 1, T0)], {}, []), T0, 1)
    published = digest_items(base.items)
    assert all(p.item.tags[0] == "data" for p in recommend(liked, published, 900, (), set(), 2, None))
    assert not any(p.item.tags[0] == "data" for p in recommend(hated, published, 900, (), set(), 5, None))


def test_enough_signals_are_tuned_on_held_out_data() -> None:
    data = community(members=80)
    model = fit_community(1, data, T0, len(data.signals))
    assert model.tuned and model.blend.validation_ndcg > 0 and len(model.blend.tried) > 10


async def test_a_failed_fit_keeps_the_last_good_model_serving(db_urls, caplog, monkeypatch) -> None:
    clock = FakeClock(T0)
    db = await open_community(db_urls("r.db"))
    try:
        source = ContentSource("text", "<b>hi</b>", None)
        item = await do_publish_item(db, clock, GROUP.id, CAROL.id, PublishSpec("Intro", ("python",)), source)
        await do_open_item(db, clock, (0, 10), item.id, ALICE)
        recommender = Recommender(db, clock, RecommendConfig())
        first = await recommender.refit(GROUP.id)
        assert first is not None and first.signal_count == 1
        await do_open_item(db, clock, (0, 10), item.id, BOB)

        def broken(*args, **kwargs):
            raise np.linalg.LinAlgError("singular matrix")

        monkeypatch.setattr(service, "fit_community", broken)
        with caplog.at_level(logging.ERROR):
            assert await recommender.refit_if_due(GROUP.id) is False  # 2 signals ≥ 1.2 × 1: due, but it fails
        assert recommender.model(GROUP.id) is first
        assert "last good model keeps serving" in caplog.text
    finally:
        await db.close()


@pytest.mark.parametrize("level,levels,member,plans,ok", [
    (1, 5, False, False, False), (1, 5, False, True, True), (1, 5, True, False, True),
])
def test_members_only_items_are_reachable_with_a_plan_or_a_membership(level, levels, member, plans, ok) -> None:
    item = DigestItem(1, 2, "x", (), None, None, True, None, T0, 0)
    assert service.reachable(item, Reach(levels, level, member, plans)) is ok
