"""Scripted groups: ownership, admins, adding/removing the bot, migration to a supergroup."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from tgsim.errors import ScriptError
from tgsim.world import ChatRecord, Member, MessageRecord, UserRecord

if TYPE_CHECKING:
    from tgsim.simulator import Simulator

DEFAULT_ADMIN_RIGHTS = {"can_manage_chat": True, "can_delete_messages": True, "can_restrict_members": True,
                        "can_invite_users": True, "can_pin_messages": True}


def _record(user: Any) -> UserRecord:
    return user if isinstance(user, UserRecord) else user.record


class SimChat:
    """A group or supergroup driven by its owner and admins."""

    def __init__(self, sim: Simulator, chat: ChatRecord) -> None:
        self.sim = sim
        self.chat = chat

    def __repr__(self) -> str:
        return f"SimChat({self.chat.title!r}, id={self.chat.id}, type={self.chat.type})"

    @property
    def id(self) -> int:
        """The chat id."""
        return self.chat.id

    @property
    def type(self) -> str:
        """'group' or 'supergroup'."""
        return self.chat.type

    @property
    def title(self) -> str:
        """The chat title."""
        return self.chat.title or ""

    @property
    def username(self) -> str | None:
        """Public username, if any."""
        return self.chat.username

    @property
    def owner(self) -> UserRecord:
        """The creator."""
        return next(m.user for m in self.chat.members.values() if m.status == "creator")

    def member(self, user: Any) -> Member:
        """A user's membership state."""
        return self.chat.member(_record(user))

    def messages(self) -> list[MessageRecord]:
        """All messages in this chat."""
        return list(self.chat.messages.values())

    def transcript(self) -> str:
        """Render this chat for humans."""
        return self.sim.transcript(self)

    # --- admins ------------------------------------------------------------------------------

    def promote(self, user: Any, **rights: bool) -> None:
        """Make a user an administrator (default rights: manage, delete, restrict, invite, pin)."""
        record = _record(user)
        merged = {**DEFAULT_ADMIN_RIGHTS, **rights}
        self.sim.change_member(self.chat, Member(record, "administrator", rights=merged, is_member=True),
                               self.owner)

    def demote(self, user: Any) -> None:
        """Turn an administrator back into a plain member."""
        self.sim.change_member(self.chat, Member(_record(user), "member", is_member=True), self.owner)

    # --- the bot -----------------------------------------------------------------------------

    async def add_bot(self, by: Any, admin: bool = True, **rights: bool) -> None:
        """Add the bot (my_chat_member + new_chat_members service message)."""
        if self.chat.migrated_to is not None:
            raise ScriptError("this group was upgraded to a supergroup")
        actor = _record(by)
        if not self.chat.member(actor).active:
            raise ScriptError(f"{actor.first_name} is not in {self.chat.title}")
        bot = self.sim.bot
        if admin:
            new = Member(bot, "administrator", rights={**DEFAULT_ADMIN_RIGHTS, **rights}, is_member=True)
        else:
            new = Member(bot, "member", is_member=True)
        self.sim.change_member(self.chat, new, actor)
        self.sim.post_service(self.chat, actor, new_chat_members=[bot.to_dict()])
        await asyncio.sleep(0)

    async def remove_bot(self, by: Any) -> None:
        """Remove the bot from the group (it becomes 'kicked')."""
        actor = _record(by)
        bot = self.sim.bot
        self.sim.change_member(self.chat, Member(bot, "kicked"), actor)
        self.sim.post_service(self.chat, actor, left_chat_member=bot.to_dict())
        await asyncio.sleep(0)

    async def set_bot_rights(self, **rights: bool) -> None:
        """Change the bot's admin rights (my_chat_member); all rights False makes it a plain member."""
        bot = self.sim.bot
        current = self.chat.member(bot)
        merged = {**(current.rights if current.status == "administrator" else {}), **rights}
        if any(merged.values()):
            new = Member(bot, "administrator", rights=merged, is_member=True)
        else:
            new = Member(bot, "member", is_member=True)
        self.sim.change_member(self.chat, new, self.owner)
        await asyncio.sleep(0)

    async def migrate_to_supergroup(self) -> SimChat:
        """Upgrade a basic group: new supergroup id, service messages on both sides, old id retired."""
        old = self.chat
        if old.type != "group":
            raise ScriptError("only basic groups can be upgraded")
        new = self.sim.world.new_group(old.title or "", True, old.username)
        new.join_by_request, new.description = old.join_by_request, old.description
        new.permissions = dict(old.permissions)
        new.members = {uid: m.copy() for uid, m in old.members.items()}
        owner = self.owner
        self.sim.post_service(old, owner, migrate_to_chat_id=new.id)
        old.migrated_to, new.migrated_from = new.id, old.id
        self.sim.post_service(new, owner, migrate_from_chat_id=old.id)
        await asyncio.sleep(0)
        return SimChat(self.sim, new)
