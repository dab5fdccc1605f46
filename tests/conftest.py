"""Test wiring: the shared fixtures live in tests/fixtures.py, the per-test databases in tests/databases.py."""

from __future__ import annotations

import pytest

pytest_plugins = ("tests.databases", "tests.fixtures")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    """Remember each phase's outcome so fixtures can dump transcripts on failure."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report
