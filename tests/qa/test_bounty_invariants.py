"""Property test: any sequence of Q&A actions, replays included, keeps the ledger consistent."""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import DomainError
from bot.services.questions import do_accept, do_answer, do_ask, do_close

from tests.databases import example_database
from tests.qa.conftest import QaWorld, open_world

PEOPLE = ("alice", "bob", "carol", "dave")
person = st.sampled_from(PEOPLE)
actions = st.one_of(
    st.tuples(st.just("ask"), person, st.sampled_from([0, 0, 20, 60, 150])),
    st.tuples(st.just("answer"), person, st.integers(0, 3)),
    st.tuples(st.just("accept"), person, st.integers(0, 7)),
    st.tuples(st.just("close"), person, st.integers(0, 3)),
)


async def _play(world: QaWorld, script: list[tuple[str, str, int]]) -> None:
    for who in ("alice", "bob"):
        await world.give(getattr(world, who), 100)
    asks: list[int] = []  # message ids of /ask messages
    answers: list[int] = []  # message ids of answers
    steps = list(enumerate(script, 100))
    for message_id, (kind, who, arg) in steps + steps[-3:]:  # the tail replays the last updates
        user = getattr(world, who)
        admin = who == "carol"
        try:
            if kind == "ask":
                asked = await do_ask(world.env, world.group, user, message_id, f"question {message_id} from {who}", arg)
                if asked.created:
                    asks.append(asked.question.message_id)
            elif kind == "answer" and asks:
                target = asks[arg % len(asks)]
                if await do_answer(world.env, world.group, user, target, message_id, f"an answer from {who} here"):
                    answers.append(message_id)
            elif kind == "accept" and answers:
                await do_accept(world.env, world.group, user.id, admin, answers[arg % len(answers)])
            elif kind == "close" and asks:
                await do_close(world.env, world.group, user.id, admin, message_id=asks[arg % len(asks)])
        except DomainError:
            pass  # refused (not allowed, not open, short balance): must have written nothing


async def _check(world: QaWorld) -> None:
    async with world.env.db.read() as repos:
        keys = await repos.ledger.keys(world.group)
        totals = await repos.ledger.member_totals(world.group)
        sums = await repos.ledger.sums(world.group)
        questions = [q for n in range(1, 100) if (q := await repos.questions.by_number(world.group, n))]
    assert len(keys) == len(set(keys))
    assert totals == sums
    assert all(balance >= 0 for _score, balance in sums.values())
    for q in questions:
        held = f"bounty_hold:{q.id}" in keys
        settled = [k for k in keys if k in (f"bounty_pay:{q.id}", f"bounty_return:{q.id}")]
        assert held == bool(q.bounty)
        assert len(settled) == (1 if q.bounty and not q.is_open else 0)


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the community, copied for each example (migrating is the slow part)."""
    folder = tmp_path_factory.mktemp("template")

    async def build() -> None:
        async with open_world(f"sqlite+aiosqlite:///{folder / 'qa.db'}"):
            pass

    asyncio.run(build())
    return folder / "qa.db"


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.lists(actions, min_size=1, max_size=14))
def test_any_sequence_keeps_bounties_and_ledger_consistent(
    backend: str, template: Path, script: list[tuple[str, str, int]]
) -> None:
    async def run(url: str) -> None:
        async with open_world(url) as world:
            await _play(world, script)
            await _check(world)

    with tempfile.TemporaryDirectory() as tmp, example_database(backend, template, Path(tmp)) as url:
        asyncio.run(run(url))
