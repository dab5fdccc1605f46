"""/recommend and the digest's picks end to end: the fitted model's picks, reasons and buttons; no forged opens."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.content.flows import card, delivered, publish
from tests.e2e.test_digests import digests_of, settings, sweep  # noqa: F401  (the digest stories' settings)


pytestmark = pytest.mark.usefixtures("payload_secret")  # Stars buying on (tests/fixtures.py)


@pytest.fixture
def clock():
    from bot.clock import FakeClock

    return FakeClock(dt.datetime(2026, 1, 6, 5, 0, tzinfo=dt.UTC))


async def _opens(user, item_id: int) -> None:
    message = await card(user, item_id)
    await user.press(message, "🔓")
    await user.expect(contains="BODY")


@pytest.fixture
async def circle(sim, runner, group, carol, alice, bob):
    """Carol's catalog; Bob and Dave read both asyncio posts, Alice read the first one."""
    dave = sim.user("Dave", username="dave")
    for user in (alice, bob, dave):
        await user.start()
        await user.expect()
        await user.join(group)
    ids = {
        "basics": await publish(carol, group, "BODY asyncio basics", "0 | Asyncio basics | python"),
        "patterns": await publish(carol, group, "BODY asyncio patterns", "0 | Asyncio patterns | python"),
        "forms": await publish(carol, group, "BODY web forms", "0 | Web forms | web"),
        "deep": await publish(carol, group, "BODY paid deep dive", "25 | Paid deep dive | python"),
    }
    for user in (bob, dave):
        await _opens(user, ids["basics"])
        await _opens(user, ids["patterns"])
    await _opens(dave, ids["forms"])
    await _opens(alice, ids["basics"])
    return ids, dave


async def test_recommend_shows_the_models_picks_with_reasons_and_buttons(sim, runner, group, alice, circle) -> None:
    ids, _dave = circle
    await alice.send(None, "/recommend")
    picks = await alice.expect(contains="Picked for you")
    assert "Asyncio basics\n" not in picks.content and f"#{ids['basics']} " not in picks.content  # already opened
    first = picks.content.splitlines()[1]
    assert "Asyncio patterns" in first and "because you opened “Asyncio basics”" in first
    labels = [b["text"] for b in picks.buttons]
    assert "Open “Asyncio patterns”" in labels and "Buy “Paid deep dive” for ⭐ 25" in labels
    await alice.press(picks, "Open “Asyncio patterns”")
    await alice.expect(contains="BODY asyncio patterns")
    # A forged button cannot open the paid item: it is not a button of this message.
    forged = await alice.press_data(picks, f"ct:o:{ids['deep']}")
    assert forged.show_alert and "no longer valid" in forged.text
    assert not delivered(sim, alice, "BODY paid deep dive")


async def test_recommend_is_private_and_speaks_chinese(sim, runner, group, alice, circle) -> None:
    await alice.send(group, "/recommend")
    assert "in private" in (await alice.expect(group, contains="/recommend")).content
    lin = sim.user("Lin", username="lin", language_code="zh-hans")
    await lin.start()
    await lin.expect()
    await lin.send(None, "/recommend")
    assert "还没有加入任何社群" in (await lin.expect()).content
    await lin.join(group)
    await runner.wait_processed(sim.last_update_id)
    await lin.send(None, "/recommend")
    reply = await lin.expect(contains="为你推荐")
    assert "Asyncio basics" in reply.content and "因为你打开过" not in reply.content  # nothing opened yet


async def test_the_digest_picks_come_from_the_model_with_reasons(sim, runner, clock, group, alice, carol,
                                                                 circle) -> None:
    ids, _dave = circle
    clock.set(dt.datetime(2026, 1, 7, 8, 0, tzinfo=dt.UTC))  # yesterday's posts are no longer "new"
    await publish(carol, group, "BODY web tips", "0 | Web tips | web")
    clock.set(dt.datetime(2026, 1, 7, 9, 0, tzinfo=dt.UTC))
    await sweep(runner)
    digest = await alice.expect(contains="Your digest")
    picked = digest.content.split("Picked for you", 1)[1]
    assert "because you opened “Asyncio basics”" in picked
    model = runner.app.bot_data.recommender.model(group.id)
    assert model is not None and model.signal_count == 6  # Bob 2, Dave 3, Alice 1 opens


async def test_the_check_job_fits_grown_communities_and_registers_their_nightly_refit(
    sim, runner, group, alice, circle
) -> None:
    from jobs.recommend import RECOMMEND_CHECK_JOB, nightly_job_id

    ids, _dave = circle
    app = runner.app
    (check,) = app.job_queue.get_jobs_by_name(RECOMMEND_CHECK_JOB)
    await check.run(app)
    first = app.bot_data.recommender.model(group.id)
    assert first is not None and first.signal_count == 6
    (nightly,) = app.job_queue.get_jobs_by_name(nightly_job_id(group.id))
    assert nightly.job.id == nightly_job_id(group.id) and nightly.job.misfire_grace_time == 6 * 3600
    await check.run(app)
    assert app.bot_data.recommender.model(group.id) is first  # nothing grew: no refit
    await _opens(alice, ids["forms"])  # 7 signals: less than 20% more than 6
    await check.run(app)
    assert app.bot_data.recommender.model(group.id) is first
    await _opens(alice, ids["patterns"])  # 8 ≥ 6 × 1.2
    await check.run(app)
    assert app.bot_data.recommender.model(group.id).signal_count == 8
