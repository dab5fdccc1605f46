"""Bot API methods about chats and members: info, admins, restrict/ban, join requests, leaving."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tgsim.common import target_chat, target_user_id
from tgsim.errors import bad_request
from tgsim.params import Params
from tgsim.serialize import chat_full_info, member_to_dict
from tgsim.world import PERMISSIONS, ChatRecord, Member, UserRecord

if TYPE_CHECKING:
    from tgsim.simulator import Simulator

RESTRICT_RIGHTS = "not enough rights to restrict/unrestrict chat member"
MEDIA_PERMISSIONS = ("can_send_audios", "can_send_documents", "can_send_photos", "can_send_videos",
                     "can_send_video_notes", "can_send_voice_notes")


async def get_chat(sim: Simulator, p: Params) -> dict[str, Any]:
    """getChat (ChatFullInfo); a read, so an upgraded group still answers."""
    chat = target_chat(sim, p, write=False)
    sim.check_bot_in_chat(chat)
    pinned = chat.messages.get(chat.pinned[-1]) if chat.pinned else None
    return chat_full_info(chat, pinned)


def group_only(sim: Simulator, p: Params, write: bool = True) -> ChatRecord:
    """Resolve a chat where member methods make sense (member lists count as writes)."""
    chat = target_chat(sim, p, write=write)
    sim.check_bot_in_chat(chat)
    return chat


async def get_chat_administrators(sim: Simulator, p: Params) -> list[dict[str, Any]]:
    """getChatAdministrators."""
    chat = group_only(sim, p)
    if chat.type == "private":
        raise bad_request("there are no administrators in the private chat")
    admins = [m for m in chat.members.values() if m.status in ("creator", "administrator")]
    admins.sort(key=lambda m: m.status != "creator")
    return [member_to_dict(chat, m, sim.bot.id) for m in admins]


async def get_chat_member(sim: Simulator, p: Params) -> dict[str, Any]:
    """getChatMember (the bot asking about itself is a read; about others, a member-list query)."""
    user_id = target_user_id(p)
    chat = group_only(sim, p, write=user_id != sim.bot.id)
    user = sim.world.find_user(user_id)
    if chat.type == "private":
        status = "member" if user.id in (chat.id, sim.bot.id) else "left"
        return member_to_dict(chat, Member(user, status, is_member=True), sim.bot.id)
    return member_to_dict(chat, chat.member(user), sim.bot.id)


async def get_chat_member_count(sim: Simulator, p: Params) -> int:
    """getChatMemberCount."""
    chat = group_only(sim, p)
    if chat.type == "private":
        return 2
    return sum(1 for m in chat.members.values() if m.active)


async def leave_chat(sim: Simulator, p: Params) -> bool:
    """leaveChat."""
    chat = group_only(sim, p)
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    sim.change_member(chat, Member(sim.bot, "left"), sim.bot)
    sim.post_service(chat, sim.bot, deliver=False, left_chat_member=sim.bot.to_dict())
    return True


def moderation_target(sim: Simulator, p: Params, supergroup_only: bool) -> tuple[ChatRecord, UserRecord]:
    """Common checks for restrict/ban/unban: chat type, bot rights, target not an admin."""
    chat = group_only(sim, p)
    if chat.type == "private":
        raise bad_request("chat member status can't be changed in private chats")
    if supergroup_only and chat.type != "supergroup":
        raise bad_request("method is available only for supergroups")
    user = sim.world.find_user(target_user_id(p))
    bot = sim.bot_member(chat)
    allowed = bot.right("can_restrict_members") or (chat.type == "group" and bot.status == "administrator")
    if not allowed:
        raise bad_request(RESTRICT_RIGHTS)
    if user.id == sim.bot.id:
        raise bad_request("can't restrict self")
    target = chat.member(user)
    if target.status == "creator":
        raise bad_request("can't remove chat owner")
    if target.status == "administrator":
        raise bad_request("user is an administrator of the chat")
    return chat, user


def until(sim: Simulator, p: Params) -> int:
    """until_date: 0 (forever) unless between 30 seconds and 366 days from now."""
    value = p.int("until_date", 0) or 0
    now = sim.now()
    return value if 30 <= value - now <= 366 * 86400 else 0


async def restrict_chat_member(sim: Simulator, p: Params) -> bool:
    """restrictChatMember."""
    chat, user = moderation_target(sim, p, supergroup_only=True)
    given = p.json("permissions")
    if not isinstance(given, dict):
        raise bad_request("can't parse permissions JSON object")
    permissions = {name: bool(given.get(name, False)) for name in PERMISSIONS}
    if not p.bool("use_independent_chat_permissions"):
        if any(permissions[name] for name in MEDIA_PERMISSIONS + ("can_send_polls", "can_send_other_messages",
                                                                   "can_add_web_page_previews")):
            permissions["can_send_messages"] = True
        if permissions["can_send_other_messages"] or permissions["can_add_web_page_previews"]:
            for name in MEDIA_PERMISSIONS:
                permissions[name] = True
    old = chat.member(user)
    in_chat = old.active
    if all(permissions[name] or not chat.permissions.get(name, False) for name in PERMISSIONS):
        new = Member(user, "member" if in_chat else "left", is_member=in_chat)
    else:
        new = Member(user, "restricted", permissions=permissions, until_date=until(sim, p), is_member=in_chat)
    if (new.status, new.permissions, new.is_member) != (old.status, old.permissions, old.is_member):
        sim.change_member(chat, new, sim.bot)
    return True


async def ban_chat_member(sim: Simulator, p: Params) -> bool:
    """banChatMember."""
    chat, user = moderation_target(sim, p, supergroup_only=False)
    old = chat.member(user)
    if old.status != "kicked":
        sim.change_member(chat, Member(user, "kicked", until_date=until(sim, p)), sim.bot)
        if old.active:
            sim.post_service(chat, sim.bot, deliver=False, left_chat_member=user.to_dict())
    return True


async def unban_chat_member(sim: Simulator, p: Params) -> bool:
    """unbanChatMember (without only_if_banned a current member is removed, like Telegram)."""
    chat, user = moderation_target(sim, p, supergroup_only=False)
    old = chat.member(user)
    if old.status == "kicked" or (not p.bool("only_if_banned") and old.active):
        sim.change_member(chat, Member(user, "left"), sim.bot)
    return True


def join_request_target(sim: Simulator, p: Params) -> tuple[ChatRecord, UserRecord]:
    """Common checks for approve/decline: bot may invite users, the request exists."""
    chat = group_only(sim, p)
    if chat.type == "private":
        raise bad_request("chat not found")
    if not sim.bot_member(chat).right("can_invite_users"):
        raise bad_request("CHAT_ADMIN_REQUIRED")
    user = sim.world.find_user(target_user_id(p))
    if chat.member(user).active:
        chat.join_requests.pop(user.id, None)
        raise bad_request("USER_ALREADY_PARTICIPANT")
    if user.id not in chat.join_requests:
        raise bad_request("HIDE_REQUESTER_MISSING")
    return chat, user


async def approve_chat_join_request(sim: Simulator, p: Params) -> bool:
    """approveChatJoinRequest: the user joins (chat_member via_join_request + service message)."""
    chat, user = join_request_target(sim, p)
    del chat.join_requests[user.id]
    sim.change_member(chat, Member(user, "member", is_member=True), user, via_join_request=True)
    sim.post_service(chat, user, new_chat_members=[user.to_dict()])
    return True


async def decline_chat_join_request(sim: Simulator, p: Params) -> bool:
    """declineChatJoinRequest."""
    chat, user = join_request_target(sim, p)
    del chat.join_requests[user.id]
    sim.notify()
    return True


METHODS = {
    "getchat": get_chat, "getchatadministrators": get_chat_administrators,
    "getchatmember": get_chat_member, "getchatmembercount": get_chat_member_count,
    "getchatmemberscount": get_chat_member_count, "leavechat": leave_chat,
    "restrictchatmember": restrict_chat_member, "banchatmember": ban_chat_member,
    "kickchatmember": ban_chat_member, "unbanchatmember": unban_chat_member,
    "approvechatjoinrequest": approve_chat_join_request,
    "declinechatjoinrequest": decline_chat_join_request,
}
