"""The shared `sim` fixture fails a test whose bot called a Bot API method the simulator lacks."""

from __future__ import annotations

import pytest

pytest_plugins = ("pytester",)

CALLS_UNKNOWN_METHOD = '''
import httpx

async def test_calls_a_method_the_simulator_lacks(sim):
    async with httpx.AsyncClient() as client:
        reply = await client.post(f"{sim.base_url}{sim.token}/sendDice", json={"chat_id": 1})
    assert reply.json()["description"] == "Not Found"
'''


def test_unknown_method_fails_the_test(pytester: pytest.Pytester) -> None:
    pytester.makeconftest('pytest_plugins = ("tests.fixtures",)\n')
    pytester.makepyfile(test_unknown=CALLS_UNKNOWN_METHOD)
    result = pytester.runpytest_inprocess(
        "-p", "no:cacheprovider", "-o", "asyncio_mode=auto", "-o", "asyncio_default_fixture_loop_scope=function",
    )
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.re_match_lines([r".*the bot called methods the simulator lacks: \['sendDice'\].*"])
