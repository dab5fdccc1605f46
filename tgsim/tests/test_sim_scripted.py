"""The scripted-user API end to end with a real PTB Application polling the simulator."""

from __future__ import annotations

import datetime as dt
from collections.abc import AsyncIterator

import pytest
from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import Application, CallbackQueryHandler, CommandHandler, ContextTypes, MessageHandler, filters

from tgsim import Simulator


class FixedClock:
    """A clock standing still at a fixed moment."""

    def now(self) -> dt.datetime:
        return dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    payload = " ".join(context.args or [])
    markup = InlineKeyboardMarkup([[InlineKeyboardButton("I accept", callback_data="rules:ok")]])
    await update.effective_message.reply_text(f"Welcome {payload}".strip())
    await update.effective_message.reply_text("Rules: be kind", reply_markup=markup)


async def accept(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    await update.callback_query.answer("Noted")
    await update.callback_query.edit_message_text("Rules accepted ✅")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_chat.type != "private" and update.message.reply_to_message is None:
        await update.message.reply_text(f"echo: {update.message.text}")


@pytest.fixture
async def running() -> AsyncIterator[tuple[Simulator, FixedClock]]:
    clock = FixedClock()
    async with Simulator(clock=clock) as sim:
        app = Application.builder().token(sim.token).base_url(sim.base_url).build()
        app.add_handler(CommandHandler("start", start))
        app.add_handler(CallbackQueryHandler(accept))
        app.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
        await app.initialize()
        await app.updater.start_polling(poll_interval=0, timeout=1, allowed_updates=Update.ALL_TYPES)
        await app.start()
        try:
            yield sim, clock
        finally:
            await app.updater.stop()
            await app.stop()
            await app.shutdown()


async def test_start_press_and_expect(running: tuple[Simulator, FixedClock]) -> None:
    sim, clock = running
    alice = sim.user("Alice", username="alice")
    await alice.start(payload="join_7")
    rules = await alice.expect(contains="Rules")  # skips the welcome
    assert rules.button_texts == ["I accept"] and rules.date == int(clock.now().timestamp())
    answer = await alice.press(rules, "I accept")
    assert answer.text == "Noted" and not answer.show_alert
    await sim.wait_for(lambda: rules.edited)
    assert rules.text == "Rules accepted ✅" and rules.reply_markup is None
    with pytest.raises(TimeoutError, match="Rules accepted ✅ \\(edited\\)"):
        await alice.expect(timeout=0.3)
    transcript = sim.transcript(alice)
    assert "Alice: /start join_7" in transcript and "#2 Circle Bot: Welcome join_7" in transcript


async def test_group_flow_and_transcript(running: tuple[Simulator, FixedClock]) -> None:
    sim, _ = running
    carol, bob = sim.user("Carol"), sim.user("Bob")
    group = sim.group("Python Circle", owner=carol)
    await group.add_bot(by=carol)
    await bob.join(group)
    question = await bob.send(group, "How do I learn asyncio?")
    echo_msg = await bob.expect(group)
    assert echo_msg.text == "echo: How do I learn asyncio?" and echo_msg.reply_to is question
    await carol.reply(echo_msg, "Read the docs")
    await bob.react(echo_msg, "👍")
    await bob.leave(group)
    text = group.transcript()
    assert "* Carol added Circle Bot" in text and "* Bob joined" in text and "* Bob left" in text
    assert "Carol ↩ #4: Read the docs" in text and "{👍}" in text
    assert "Python Circle" in sim.transcripts()
    update_id = sim.inject_group_message(group, carol, "fast path message")
    assert update_id is not None and sim.update_created_at(update_id) > 0
    await carol.expect(group, contains="echo: fast path message")
