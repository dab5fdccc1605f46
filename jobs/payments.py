"""Paid content over time: deliveries that failed for now are retried; interrupted refunds are finished."""

from __future__ import annotations

from bot.context import CustomContext, Services
from bot.services.paid_questions import do_expire_overdue
from bot.services.refunds import do_settle_refunds

DELIVERY_JOB = "content-delivery"


async def repair_paid_content(services: Services) -> None:
    """Finish refunds a crash interrupted and deliver what is still pending (at every start)."""
    await do_expire_overdue(services.paid_questions)  # paid questions whose deadline passed while down
    await do_settle_refunds(services.refunds)
    await services.deliverer.repair()


async def retry_deliveries(context: CustomContext) -> None:
    """Deliver bought content still pending after a network error."""
    await context.services.deliverer.repair()
