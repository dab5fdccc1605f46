"""Invite links: createChatInviteLink / revokeChatInviteLink and joining through a link.

Checked against tdlib's DialogInviteLinkManager and the Bot API docs: a name is cut to 32
characters, `member_limit` is 1–99999 and can't go with `creates_join_request`, an
`expire_date` must lie ahead. A join through a link names it in the `chat_member` update (or
the `chat_join_request`), as Telegram does.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tgsim.common import target_chat
from tgsim.errors import ScriptError, bad_request
from tgsim.params import Params
from tgsim.world import ChatRecord, UserRecord

if TYPE_CHECKING:
    from tgsim.simulator import Simulator

NO_RIGHTS = "not enough rights to manage chat invite link"
MAX_NAME = 32
MAX_MEMBER_LIMIT = 99999


@dataclass
class InviteLink:
    """One additional invite link of a chat."""

    url: str
    chat_id: int
    creator: UserRecord
    name: str | None = None
    expire_date: int | None = None
    member_limit: int | None = None
    creates_join_request: bool = False
    revoked: bool = False
    joined: list[int] = field(default_factory=list)  # who joined through it, in order

    def to_dict(self) -> dict[str, Any]:
        """Serialize as a Bot API ChatInviteLink."""
        out: dict[str, Any] = {"invite_link": self.url, "creator": self.creator.to_dict(),
                               "creates_join_request": self.creates_join_request, "is_primary": False,
                               "is_revoked": self.revoked}
        for key in ("name", "expire_date", "member_limit"):
            if getattr(self, key) is not None:
                out[key] = getattr(self, key)
        return out


def _link_chat(sim: Simulator, p: Params) -> ChatRecord:
    chat = target_chat(sim, p)
    if chat.type == "private":
        raise bad_request("can't invite members to a private chat")
    sim.check_bot_in_chat(chat)
    if not sim.bot_member(chat).right("can_invite_users"):
        raise bad_request(NO_RIGHTS)
    return chat


async def create_chat_invite_link(sim: Simulator, p: Params) -> dict[str, Any]:
    """createChatInviteLink."""
    chat = _link_chat(sim, p)
    member_limit = p.int("member_limit") or None
    creates_join_request = p.bool("creates_join_request")
    if creates_join_request and member_limit:
        raise bad_request("member limit can't be specified for links requiring administrator approval")
    expire_date = p.int("expire_date") or None
    if expire_date is not None and expire_date <= sim.now():
        raise bad_request("EXPIRE_DATE_INVALID")
    if member_limit is not None and not 0 < member_limit <= MAX_MEMBER_LIMIT:
        raise bad_request("USAGE_LIMIT_INVALID")
    name = (p.str("name") or "")[:MAX_NAME] or None
    link = InviteLink(f"https://t.me/+{secrets.token_urlsafe(12)}", chat.id, sim.bot, name, expire_date,
                      member_limit, creates_join_request)
    sim.invite_links[link.url] = link
    return link.to_dict()


async def revoke_chat_invite_link(sim: Simulator, p: Params) -> dict[str, Any]:
    """revokeChatInviteLink."""
    chat = _link_chat(sim, p)
    link = sim.invite_links.get(p.str("invite_link") or "")
    if link is None or link.chat_id != chat.id:
        raise bad_request("INVITE_HASH_EXPIRED")
    link.revoked = True
    return link.to_dict()


def usable_link(sim: Simulator, url: str) -> InviteLink:
    """Return the link a user follows, or raise what their app would show."""
    link = sim.invite_links.get(url)
    if link is None or link.revoked or (link.expire_date is not None and link.expire_date <= sim.now()):
        raise ScriptError("INVITE_HASH_EXPIRED: the invite link is invalid or has expired")
    if link.member_limit is not None and len(link.joined) >= link.member_limit:
        raise ScriptError("USERS_TOO_MUCH: the invite link reached its member limit")
    return link


METHODS = {"createchatinvitelink": create_chat_invite_link, "revokechatinvitelink": revoke_chat_invite_link}
