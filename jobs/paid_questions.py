"""Paid questions left unanswered past their deadline are refunded (at start too)."""

from __future__ import annotations

import logging

from bot.context import CustomContext
from bot.services.paid_questions import do_expire_overdue
from bot.services.refunds import do_settle_refunds

log = logging.getLogger(__name__)

PAID_QUESTIONS_JOB = "paid-questions-deadlines"


async def refund_unanswered(context: CustomContext) -> None:
    """Expire overdue paid questions and refund them; a crash between the two is settled at the next start."""
    services = context.services
    due = await do_expire_overdue(services.paid_questions)
    if due:
        log.info("%s paid question(s) unanswered past their deadline: refunding", len(due))
    for payment_id in due:
        await do_settle_refunds(services.refunds, only=payment_id)
