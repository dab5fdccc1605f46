"""Per-user reads that every private update repeats, cached: the language a member chose and
whether they blocked the bot.

Before any feature sees a private update, one handler checks whether the sender had blocked
the bot and another reads the language they chose; both were a read transaction per update,
in front of what the member waits for (a payment's content, a reply).
"""

from __future__ import annotations

from collections.abc import Iterable

# Bounds how many users the cache holds (then it starts over).
LIMIT = 100_000
_MISSING = object()


class UserReads:
    """Cached per-user facts: `language` (the /set language choice, None: follow Telegram) and
    `reachable` (True: the stored row has no blocked mark).

    Invalidation rule: every write of a user's row or of their settings (`UsersRepo.upsert`,
    `set_blocked`, `mark_started`, `UserSettingsRepo.set`/`delete`) records the user in its
    transaction, and `forget` (a commit listener, wired in bot/app.py) drops what is cached
    about them once it commits. A reader passes the generation it saw before reading; a value
    read while the user was forgotten is not kept, so a racing write never leaves it stale.
    Only this process's writes are seen.
    """

    def __init__(self, limit: int = LIMIT) -> None:
        self._limit = limit
        self._values: dict[tuple[str, int], object] = {}
        self._forgotten: dict[int, int] = {}
        self._generation = 0
        self._floor = 0

    @property
    def generation(self) -> int:
        """Return the counter to pass to `keep` (read it before reading the database)."""
        return self._generation

    def get(self, fact: str, user_id: int) -> object:
        """Return the cached fact, or MISSING."""
        return self._values.get((fact, user_id), _MISSING)

    def keep(self, fact: str, user_id: int, value: object, generation: int) -> None:
        """Cache a fact read at `generation`, unless the user was forgotten since."""
        if generation < self._floor or self._forgotten.get(user_id, -1) >= generation:
            return
        if len(self._values) >= self._limit:
            self._values.clear()
        self._values[(fact, user_id)] = value

    def forget(self, user_ids: Iterable[int]) -> None:
        """Drop what is cached about these users (a transaction wrote their row or settings)."""
        for user_id in user_ids:
            for fact in FACTS:
                self._values.pop((fact, user_id), None)
            self._forgotten[user_id] = self._generation
        self._generation += 1
        if len(self._forgotten) >= self._limit:
            self._forgotten.clear()
            self._floor = self._generation


LANGUAGE = "language"
REACHABLE = "reachable"
FACTS = (LANGUAGE, REACHABLE)
MISSING = _MISSING
