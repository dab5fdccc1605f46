"""Paid content over time: deliveries that failed for now are retried; interrupted refunds are finished."""

from __future__ import annotations

from bot.context import CustomContext, Services
from bot.services.paid_questions import do_expire_overdue
from bot.services.payments import do_reward_pending
from bot.services.refunds import do_settle_refunds

DELIVERY_JOB = "content-delivery"


async def repair_paid_content(services: Services) -> None:
    """Finish refunds a crash interrupted, deliver what is still pending and give rewards still due (every start)."""
    await do_expire_overdue(services.paid_questions)  # paid questions whose deadline passed while down
    await do_settle_refunds(services.refunds)
    await services.deliverer.repair()
    await _reward_pending(services)


async def retry_deliveries(context: CustomContext) -> None:
    """Deliver bought content still pending after a network error; give rewards an error left due."""
    await context.services.deliverer.repair()
    await _reward_pending(context.services)


async def _reward_pending(services: Services) -> None:
    await do_reward_pending(services.db, services.clock, services.scoring, services.settings)
