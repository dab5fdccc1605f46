"""The bot object every call goes through: HTML by default, and every text cut to Telegram's limits.

Renderers keep user content short where a layout needs it (a question's excerpt, a title on a
button); this is the guarantee behind them, so no send or edit is ever refused as "too long".
Its rate limiter is PTB's AIORateLimiter with per-request retries (see RateLimiter).
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Coroutine
from typing import Any

from telegram._utils.types import JSONDict
from telegram.constants import ParseMode
from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter, Defaults, ExtBot
from telegram.request import HTTPXRequest

from bot.config import Settings
from bot.gateway.errors import retry_delay
from bot.views.limits import MAX_CAPTION, MAX_TEXT, alert_text, fit_html, fit_plain

log = logging.getLogger(__name__)

# Requests the bot may have in flight at once (PTB's own default for an Application).
CONNECTION_POOL = 256
# rate_limit_args for a request that must not be retried after a 429 (the caller handles RetryAfter).
NO_RETRIES = 0


def _fit(text: Any, limit: int, parse_mode: Any) -> Any:
    if not isinstance(text, str):
        return text
    return fit_plain(text, limit) if parse_mode is None else fit_html(text, limit)


class FittedBot(ExtBot[None]):
    """An ExtBot whose texts, captions and alerts always fit (HTML stays balanced when cut)."""

    async def send_message(self, chat_id: Any, text: str, *args: Any, **kwargs: Any) -> Any:
        """sendMessage, text cut to 4096 characters."""
        text = _fit(text, MAX_TEXT, kwargs.get("parse_mode", ParseMode.HTML))
        return await super().send_message(chat_id, text, *args, **kwargs)

    async def edit_message_text(self, text: str, *args: Any, **kwargs: Any) -> Any:
        """editMessageText, text cut to 4096 characters."""
        text = _fit(text, MAX_TEXT, kwargs.get("parse_mode", ParseMode.HTML))
        return await super().edit_message_text(text, *args, **kwargs)

    async def answer_callback_query(self, callback_query_id: str, text: str | None = None,
                                    *args: Any, **kwargs: Any) -> bool:
        """answerCallbackQuery; alerts are plain text, so translated HTML is unescaped and cut to 200."""
        if text is not None:
            text = alert_text(text)
        return await super().answer_callback_query(callback_query_id, text, *args, **kwargs)

    async def send_photo(self, chat_id: Any, photo: Any, caption: str | None = None,
                         *args: Any, **kwargs: Any) -> Any:
        """sendPhoto, caption cut to 1024 characters."""
        caption = _fit(caption, MAX_CAPTION, kwargs.get("parse_mode", ParseMode.HTML))
        return await super().send_photo(chat_id, photo, caption, *args, **kwargs)

    async def send_video(self, chat_id: Any, video: Any, *args: Any, **kwargs: Any) -> Any:
        """sendVideo, caption cut to 1024 characters."""
        kwargs["caption"] = _fit(kwargs.get("caption"), MAX_CAPTION, kwargs.get("parse_mode", ParseMode.HTML))
        return await super().send_video(chat_id, video, *args, **kwargs)

    async def send_audio(self, chat_id: Any, audio: Any, *args: Any, **kwargs: Any) -> Any:
        """sendAudio, caption cut to 1024 characters."""
        kwargs["caption"] = _fit(kwargs.get("caption"), MAX_CAPTION, kwargs.get("parse_mode", ParseMode.HTML))
        return await super().send_audio(chat_id, audio, *args, **kwargs)

    async def send_document(self, chat_id: Any, document: Any, *args: Any, **kwargs: Any) -> Any:
        """sendDocument, caption cut to 1024 characters."""
        kwargs["caption"] = _fit(kwargs.get("caption"), MAX_CAPTION, kwargs.get("parse_mode", ParseMode.HTML))
        return await super().send_document(chat_id, document, *args, **kwargs)


class _RetriedHere(logging.Filter):
    """Drop AIORateLimiter's "maximum of 0 retries" traceback: RateLimiter retries (or the outbox waits) itself."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Rate limit hit after maximum of 0 retries")


class RateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter (overall and group buckets), where a request may ask for no retry after a 429.

    AIORateLimiter reads `rate_limit_args or max_retries`, so 0 cannot switch its retries off
    for one request. Here rate_limit_args=NO_RETRIES does: the outbox takes the RetryAfter
    itself, gives the notice back and pauses, instead of holding it inside the request.
    Everything else is retried max_retries times and, as in PTB, a 429 pauses all requests.
    """

    def __init__(self, overall_max_rate: float, group_max_rate: float, max_retries: int) -> None:
        super().__init__(overall_max_rate=overall_max_rate, group_max_rate=group_max_rate, max_retries=0)
        ptb_log = logging.getLogger("telegram.ext.AIORateLimiter")
        if not any(isinstance(f, _RetriedHere) for f in ptb_log.filters):
            ptb_log.addFilter(_RetriedHere())
        self._retries = max_retries
        self._resume = asyncio.Event()
        self._resume.set()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Pace the request; after a 429 wait as asked and retry (up to max_retries or rate_limit_args)."""
        retries = self._retries if rate_limit_args is None else rate_limit_args
        for attempt in itertools.count():
            await self._resume.wait()
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, None)
            except RetryAfter as exc:
                if attempt >= retries:
                    raise
                log.info("flood control: retrying %s after %s", endpoint, retry_delay(exc))
                self._resume.clear()
                try:
                    await asyncio.sleep(retry_delay(exc).total_seconds() + 0.1)
                finally:
                    self._resume.set()
        raise AssertionError("unreachable")


def build_bot(settings: Settings, token: str) -> FittedBot:
    """Return the bot for these settings: HTML parse mode by default, the configured rate limits."""
    tg = settings.telegram
    return FittedBot(
        token=token,
        base_url=tg.base_url,
        base_file_url=tg.base_file_url,
        defaults=Defaults(parse_mode=ParseMode.HTML),
        request=HTTPXRequest(connection_pool_size=CONNECTION_POOL),
        get_updates_request=HTTPXRequest(read_timeout=tg.poll_timeout + 10),
        rate_limiter=RateLimiter(tg.overall_max_rate, tg.group_max_rate, tg.max_retries),
    )
