"""Delivering bought content to the buyer's private chat, once, and repairing missed deliveries.

Each entitlement stores its delivery state; a delivery is sent, then marked, so a crash in
between sends it again at the next start (a repeat, never a loss).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Iterable

from functools import partial

from telegram import Bot
from telegram.error import BadRequest, Forbidden, TelegramError

from bot.clock import Clock
from bot.i18n import Translator
from bot.services.notices import private_language
from bot.views.content import delivery_text, rating_keyboard
from storage.db import Database
from storage.models_content import ContentItem

log = logging.getLogger(__name__)

# Sends an item to a user's private chat in a language (with the rating buttons).
SendItem = Callable[[ContentItem, int, str], Awaitable[None]]


class ContentDeliverer:
    """Sends pending deliveries; an entitlement is in flight in at most one task at a time."""

    def __init__(self, db: Database, clock: Clock, send_item: SendItem, max_attempts: int) -> None:
        self._db = db
        self._clock = clock
        self._send_item = send_item
        self._max_attempts = max_attempts
        self._inflight: set[int] = set()

    async def deliver(self, entitlement_ids: Iterable[int]) -> int:
        """Deliver these entitlements if still pending; return how many went out."""
        sent = 0
        for entitlement_id in entitlement_ids:
            sent += await self._deliver(entitlement_id)
        return sent

    async def deliver_now(self, entitlement_id: int, item: ContentItem, user_id: int, lang: str) -> bool:
        """Send an entitlement granted a moment ago, with what its transaction read; True if it went out.

        The path of a successful payment: nothing is read between that commit and the send.
        """
        if entitlement_id in self._inflight:
            return False
        self._inflight.add(entitlement_id)
        try:
            return await self._send(entitlement_id, item, user_id, lang, attempts=0)
        finally:
            self._inflight.discard(entitlement_id)

    async def repair(self, limit: int = 100) -> int:
        """Deliver everything still pending (at start and on a timer); return how many went out."""
        async with self._db.read() as repos:
            pending = await repos.entitlements.pending_delivery(limit)
        return await self.deliver(e.id for e in pending)

    async def _deliver(self, entitlement_id: int) -> bool:
        if entitlement_id in self._inflight:
            return False
        self._inflight.add(entitlement_id)
        try:
            return await self._attempt(entitlement_id)
        finally:
            self._inflight.discard(entitlement_id)

    async def _attempt(self, entitlement_id: int) -> bool:
        async with self._db.read() as repos:
            entitlement = await repos.entitlements.get(entitlement_id)
            # Checked again right before sending: a refund may have revoked it meanwhile.
            if entitlement is None or entitlement.status != "active" or entitlement.delivery != "pending":
                return False
            item = await repos.content.get(entitlement.item_id)
            lang = await private_language(repos, entitlement.user_id, entitlement.community_id)
        assert item is not None
        return await self._send(entitlement_id, item, entitlement.user_id, lang, entitlement.delivery_attempts)

    async def _send(self, entitlement_id: int, item: ContentItem, user_id: int, lang: str, attempts: int) -> bool:
        """Send once and record the outcome: delivered, or a failed attempt (given up on after max_attempts)."""
        error: str | None = None
        give_up = False
        try:
            await self._send_item(item, user_id, lang)
        except (Forbidden, BadRequest) as exc:
            # Blocked, or the stored content is gone: retrying won't help; /mycontent still opens it.
            log.warning("delivery of entitlement %s failed for good: %s", entitlement_id, exc)
            error, give_up = str(exc), True
        except TelegramError as exc:
            log.info("delivery of entitlement %s failed, will retry: %s", entitlement_id, exc)
            error, give_up = str(exc), attempts + 1 >= self._max_attempts
        async with self._db.transaction() as repos:
            if error is None:
                await repos.entitlements.mark_delivered(entitlement_id, self._clock.now())
            else:
                await repos.entitlements.mark_attempt_failed(entitlement_id, error, give_up)
        return error is None


def item_sender(bot: Bot, t: Translator) -> SendItem:
    """Return the SendItem that sends an item's content with its rating buttons (one Bot API call)."""

    async def send(item: ContentItem, chat_id: int, lang: str) -> None:
        keyboard = rating_keyboard(item.id)
        if item.storage_chat_id and item.storage_message_id:
            try:
                await bot.copy_message(chat_id, item.storage_chat_id, item.storage_message_id, reply_markup=keyboard)
                return
            except BadRequest as exc:
                # The stored copy is gone; the file_id or the text below still works.
                log.warning("stored copy of item %s unusable (%s); sending it from the file id", item.id, exc)
        text = delivery_text(partial(t, lang), item)
        if item.kind == "text":
            await bot.send_message(chat_id, text, reply_markup=keyboard)
            return
        media = {
            "photo": bot.send_photo,
            "document": bot.send_document,
            "video": bot.send_video,
            "audio": bot.send_audio,
        }[item.kind]
        await media(chat_id, item.file_id, caption=text, reply_markup=keyboard)

    return send
