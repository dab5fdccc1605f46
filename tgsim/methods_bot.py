"""Bot API methods about the bot itself: identity, updates, webhook, commands, callbacks, reactions."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING, Any

from tgsim.common import INTEGER, live_message, target_chat
from tgsim.errors import bad_request
from tgsim.params import Params

if TYPE_CHECKING:
    from tgsim.simulator import Simulator

COMMAND_RE = re.compile(r"^[a-z0-9_]{1,32}$")
SCOPES = frozenset({"default", "all_private_chats", "all_group_chats", "all_chat_administrators",
                    "chat", "chat_administrators", "chat_member"})
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"
REACTIONS = frozenset(
    "👍 👎 ❤ 🔥 🥰 👏 😁 🤔 🤯 😱 🤬 😢 🎉 🤩 🤮 💩 🙏 👌 🕊 🤡 🥱 🥴 😍 🐳 ❤‍🔥 🌚 🌭 💯 🤣 ⚡ 🍌 🏆 💔 🤨 😐 "
    "🍓 🍾 💋 🖕 😈 😴 😭 🤓 👻 👨‍💻 👀 🎃 🙈 😇 😨 🤝 ✍ 🤗 🫡 🎅 🎄 ☃ 💅 🤪 🗿 🆒 💘 🙉 🦄 😘 💊 🙊 😎 👾 "
    "🤷‍♂ 🤷 🤷‍♀ 😡".split())


def normalize_emoji(emoji: str) -> str:
    """Drop variation selectors, as Telegram reports '❤' for '❤️'."""
    return emoji.replace("\ufe0f", "")


async def get_me(sim: Simulator, p: Params) -> dict[str, Any]:
    """getMe."""
    out = sim.bot.to_dict()
    out.update({"can_join_groups": True, "can_read_all_group_messages": not sim.privacy_mode,
                "supports_inline_queries": False, "can_connect_to_business": False,
                "has_main_web_app": False})
    return out


async def log_out(sim: Simulator, p: Params) -> bool:
    """logOut / close: nothing to do locally."""
    return True


async def get_updates(sim: Simulator, p: Params) -> list[dict[str, Any]]:
    """getUpdates with offset, limit, timeout (long poll) and remembered allowed_updates."""
    sim.updates.set_allowed(p.json("allowed_updates"))
    limit = max(1, min(100, p.int("limit", 100) or 100))
    timeout = max(0, p.int("timeout", 0) or 0)
    return await sim.updates.get_updates(p.int("offset", 0) or 0, limit, timeout)


async def set_webhook(sim: Simulator, p: Params) -> bool:
    """setWebhook (http URLs are accepted because the simulator lives on loopback)."""
    url = p.str("url", "") or ""
    secret = p.str("secret_token")
    if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
        raise bad_request("secret token contains unallowed characters")
    if url and not url.startswith(("http://", "https://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    sim.updates.set_allowed(p.json("allowed_updates"))
    if p.bool("drop_pending_updates"):
        sim.updates.drop_pending()
    if not url:
        await sim.updates.delete_webhook()
        return True
    sim.updates.set_webhook(url, secret, p.int("max_connections", 40) or 40)
    return True


async def delete_webhook(sim: Simulator, p: Params) -> bool:
    """deleteWebhook."""
    if p.bool("drop_pending_updates"):
        sim.updates.drop_pending()
    await sim.updates.delete_webhook()
    return True


async def get_webhook_info(sim: Simulator, p: Params) -> dict[str, Any]:
    """getWebhookInfo."""
    return sim.updates.webhook_info()


def scope_key(sim: Simulator, p: Params) -> tuple[str, int | None, int | None, str]:
    """Validate scope + language_code into a storage key."""
    scope = p.json("scope") or {"type": "default"}
    kind = scope.get("type") if isinstance(scope, dict) else None
    if kind not in SCOPES:
        raise bad_request("unsupported bot command scope type")
    chat_id = user_id = None
    if kind in ("chat", "chat_administrators", "chat_member"):
        raw = scope.get("chat_id")
        chat = sim.world.find_chat(int(raw) if isinstance(raw, str) and INTEGER.fullmatch(raw) else raw)
        chat_id = chat.id
        if kind != "chat" and chat.type == "private":
            raise bad_request("can't use chat_administrators scope in private chats")
    if kind == "chat_member":
        user_id = scope.get("user_id")
        if not isinstance(user_id, int) or user_id not in sim.world.users:
            raise bad_request("user not found")
    language = p.str("language_code", "") or ""
    if language and not re.fullmatch(r"[a-z]{2}", language):
        raise bad_request("invalid language code specified")
    return kind, chat_id, user_id, language


async def set_my_commands(sim: Simulator, p: Params) -> bool:
    """setMyCommands."""
    commands = p.json("commands")
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    clean = []
    for item in commands:
        if not isinstance(item, dict) or not COMMAND_RE.match(str(item.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = str(item.get("description", ""))
        if not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
        clean.append({"command": item["command"], "description": description})
    key = scope_key(sim, p)
    if clean:
        sim.commands[key] = clean
    else:
        sim.commands.pop(key, None)
    return True


async def get_my_commands(sim: Simulator, p: Params) -> list[dict[str, str]]:
    """getMyCommands (exact scope and language, no fallback, like Telegram)."""
    return list(sim.commands.get(scope_key(sim, p), []))


async def delete_my_commands(sim: Simulator, p: Params) -> bool:
    """deleteMyCommands."""
    sim.commands.pop(scope_key(sim, p), None)
    return True


async def answer_callback_query(sim: Simulator, p: Params) -> bool:
    """answerCallbackQuery (once, within the timeout)."""
    query_id = p.str("callback_query_id") or ""
    future = sim.callback_answers.get(query_id)
    created = sim.callback_created.get(query_id)
    if future is None or future.done() or created is None \
            or time.monotonic() - created > sim.callback_query_timeout:
        raise bad_request(QUERY_TOO_OLD)
    text = p.str("text")
    if text is not None and len(text) > 200:
        raise bad_request("MESSAGE_TOO_LONG")
    future.set_result({"text": text, "show_alert": p.bool("show_alert"), "url": p.str("url"),
                       "cache_time": p.int("cache_time", 0)})
    return True


async def set_message_reaction(sim: Simulator, p: Params) -> bool:
    """setMessageReaction (the bot's own reaction; bots' reactions produce no updates)."""
    chat = target_chat(sim, p, write=False)
    sim.check_bot_in_chat(chat)
    msg = live_message(chat, p.int("message_id"), "message to react not found")
    reactions = p.json("reaction") or []
    clean = []
    for item in reactions:
        if not isinstance(item, dict) or item.get("type") != "emoji":
            raise bad_request("REACTION_INVALID")
        emoji = normalize_emoji(str(item.get("emoji", "")))
        if emoji not in REACTIONS:
            raise bad_request("REACTION_INVALID")
        clean.append({"type": "emoji", "emoji": emoji})
    if len(clean) > 1:
        raise bad_request("REACTIONS_TOO_MANY")
    msg.reactions[sim.bot.id] = clean
    return True


METHODS = {
    "getme": get_me, "logout": log_out, "close": log_out, "getupdates": get_updates,
    "setwebhook": set_webhook, "deletewebhook": delete_webhook, "getwebhookinfo": get_webhook_info,
    "setmycommands": set_my_commands, "getmycommands": get_my_commands,
    "deletemycommands": delete_my_commands, "answercallbackquery": answer_callback_query,
    "setmessagereaction": set_message_reaction,
}
