"""The members the hot path has already stored, so a known member's message costs no write.

A group message names its author; the user row and the membership must exist before points
are written. Checking (or upserting) them for every message was the costliest part of the
points writer, so this process remembers what it stored and writes only on a change.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

from bot.services.communities import UserInfo

# Bounds how many (community, user) pairs the process remembers (then it starts over).
KNOWN_LIMIT = 200_000


class Profile(NamedTuple):
    """A user's fields as stored in their row (language None: none known)."""

    first_name: str
    last_name: str | None
    username: str | None
    language_code: str | None


def profile_of(user: UserInfo) -> Profile:
    """Return the profile fields an update tells about a user."""
    return Profile(user.first_name, user.last_name, user.username, user.language_code)


def up_to_date(stored: Profile | None, seen: Profile) -> bool:
    """Tell whether storing `seen` would change nothing (an unknown language keeps the stored one)."""
    if stored is None:
        return False
    same = stored[:3] == seen[:3]
    return same and (seen.language_code is None or seen.language_code == stored.language_code)


def stored_after(stored: Profile | None, seen: Profile) -> Profile:
    """Return the profile a users upsert of `seen` leaves stored (it keeps a known language)."""
    if seen.language_code is None and stored is not None:
        return seen._replace(language_code=stored.language_code)
    return seen


class KnownMembers:
    """(community, user) pairs whose user row and membership are stored, with the stored profile.

    Invalidation rule: an entry says what this process last saw stored, so any other write of
    that user's row makes it stale. Every write of a user's row (`UsersRepo`; the hot path's
    own included) records the user in its transaction, and `forget` (a commit listener, wired in bot/app.py)
    drops them once that transaction commits. A writer calls `learn` after its own commit with the generation it
    read before it began; an entry is not learned if the user was forgotten since, so a write
    that raced with it can never leave a stale profile behind. Membership rows are never
    deleted, so "the membership exists" cannot go stale; joins and leaves change its status,
    which this cache does not hold. Only writes through this process are seen: a second
    process writing the same database would have to be wired to forget as well.
    """

    def __init__(self, limit: int = KNOWN_LIMIT) -> None:
        self._limit = limit
        self._profiles: dict[int, Profile] = {}
        self._members: set[tuple[int, int]] = set()
        self._generation = 0
        self._forgotten: dict[int, int] = {}
        self._floor = 0  # writers that began before this generation learn nothing

    @property
    def generation(self) -> int:
        """Return the counter to pass to `learn` (read it before the transaction begins)."""
        return self._generation

    def current(self, community_id: int, user: UserInfo) -> bool:
        """Tell whether the user's row and membership are stored as this update describes them."""
        return (community_id, user.id) in self._members and up_to_date(self._profiles.get(user.id), profile_of(user))

    def learn(self, entries: Iterable[tuple[int, int, Profile]], generation: int) -> None:
        """Remember (community, user, stored profile) after a commit, unless forgotten since `generation`."""
        if generation < self._floor:
            return
        for community_id, user_id, profile in entries:
            if self._forgotten.get(user_id, -1) >= generation:
                continue
            if len(self._members) >= self._limit:
                self._members.clear()
                self._profiles.clear()
            self._members.add((community_id, user_id))
            self._profiles[user_id] = profile

    def forget(self, user_ids: Iterable[int]) -> None:
        """Drop what is known about these users' rows (another transaction wrote them)."""
        for user_id in user_ids:
            self._profiles.pop(user_id, None)
            self._forgotten[user_id] = self._generation
        self._generation += 1
        if len(self._forgotten) >= self._limit:
            # Start over: writers already running cannot tell what was forgotten, so they learn nothing.
            self._forgotten.clear()
            self._floor = self._generation
