"""The bot's command list: one place that /help and setMyCommands both read."""

from __future__ import annotations

from dataclasses import dataclass

PRIVATE = "private"
GROUP = "group"


@dataclass(frozen=True)
class Command:
    """A command, where it works and whether only admins may run it."""

    name: str
    chats: frozenset[str]
    admin_only: bool = False
    key: str | None = None  # the description's message key when it is not cmd.<name>

    @property
    def description_key(self) -> str:
        return self.key or f"cmd.{self.name}"


def _cmd(name: str, *chats: str, admin_only: bool = False, key: str | None = None) -> Command:
    return Command(name, frozenset(chats), admin_only, key)


# Order is the order users see in /help and in Telegram's command menu.
COMMANDS: tuple[Command, ...] = (
    _cmd("start", PRIVATE, GROUP),
    _cmd("help", PRIVATE, GROUP),
    _cmd("settings", GROUP, admin_only=True),
    _cmd("set", GROUP, admin_only=True),
    # In private the same commands show and change the member's own preferences.
    _cmd("settings", PRIVATE, key="cmd.settings.private"),
    _cmd("set", PRIVATE, key="cmd.set.private"),
    _cmd("ask", GROUP),
    _cmd("questions", GROUP),
    _cmd("q", GROUP),
    _cmd("search", GROUP),
    _cmd("accept", GROUP),
    _cmd("close", GROUP),
    _cmd("faq", GROUP),
    # Paid content.
    _cmd("catalog", PRIVATE, GROUP),
    _cmd("mycontent", PRIVATE, GROUP),
    _cmd("rate", PRIVATE, GROUP),
    _cmd("recommend", PRIVATE),
    _cmd("subscribe", PRIVATE, GROUP),
    _cmd("askpaid", PRIVATE),
    _cmd("publish", GROUP, PRIVATE, admin_only=True),
    _cmd("unpublish", GROUP, PRIVATE, admin_only=True),
    _cmd("price", GROUP, PRIVATE, admin_only=True),
    _cmd("plan", GROUP, PRIVATE, admin_only=True),
    _cmd("refund", GROUP, PRIVATE, admin_only=True),
    _cmd("revenue", GROUP, PRIVATE, admin_only=True),
    _cmd("coupon", GROUP, PRIVATE, admin_only=True),
    # Points.
    _cmd("me", PRIVATE, GROUP),
    _cmd("invite", PRIVATE, GROUP),
    _cmd("checkin", GROUP),
    _cmd("top", GROUP),
    _cmd("award", GROUP, PRIVATE, admin_only=True),
    _cmd("deduct", GROUP, PRIVATE, admin_only=True),
    # Digests.
    _cmd("digest", GROUP, PRIVATE, admin_only=True),
    # The creator's console.
    _cmd("community", PRIVATE, admin_only=True),
    _cmd("audit", GROUP, PRIVATE, admin_only=True),
    _cmd("broadcast", GROUP, PRIVATE, admin_only=True),
    _cmd("stats", GROUP, PRIVATE, admin_only=True),
    _cmd("export", GROUP, PRIVATE, admin_only=True),
)


def commands_for(chat: str, *, admin: bool) -> list[Command]:
    """Return the commands shown in a chat kind to a member or to an admin."""
    return [c for c in COMMANDS if chat in c.chats and (admin or not c.admin_only)]
