"""Named test users for the storage tests (imported by conftest and the tests)."""

from __future__ import annotations

from typing import NamedTuple


class People(NamedTuple):
    """Ids of the named test users and their group."""

    group: int
    alice: int
    bob: int
    carol_admin: int
