"""/export [members|payments|ledger|qa]: CSV files of the community, sent to the admin in private."""

from __future__ import annotations

import tempfile
from pathlib import Path

from telegram import Update
from telegram.ext import BaseHandler

from bot.context import CustomContext
from bot.services.export import ExportFile, do_export, parse_export_kinds
from handlers.common import command
from bot.views.base import Texts
from handlers.console import console_private, deliver_to_admin

MAX_UPLOAD = 50 * 1024 * 1024  # the largest file a bot may send
WHAT = {"members": "export.members", "payments": "export.payments", "ledger": "export.ledger", "qa": "export.qa"}


async def export(update: Update, context: CustomContext) -> None:
    """/export: all four files (or the named ones) as documents in the admin's private chat; audited."""
    community = await console_private(update, context)
    kinds = parse_export_kinds(context.args or [])

    async def send(chat_id: int, say: Texts) -> None:
        with tempfile.TemporaryDirectory(prefix="circlebot-export-") as folder:
            files = await do_export(
                context.db, context.clock, community.id, update.effective_user.id, kinds, Path(folder)
            )
            for file in files:
                await _send_file(context, chat_id, say, community.title, file)

    await deliver_to_admin(update, context, community, send)


async def _send_file(context: CustomContext, chat_id: int, say: Texts, title: str, file: ExportFile) -> None:
    if file.size > MAX_UPLOAD:
        await context.bot.send_message(chat_id, say.t("export.too_big", name=file.path.name))
        return
    caption = say.t("export.caption", title=title, what=say.t(WHAT[file.kind]), rows=file.rows)
    with file.path.open("rb") as document:
        await context.bot.send_document(chat_id, document=document, filename=file.path.name, caption=caption)


def build_handlers() -> list[BaseHandler]:
    """Return this feature's handlers."""
    return [command("export", export)]
