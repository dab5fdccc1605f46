"""Paid content over time: deliveries that failed for now are retried; interrupted refunds are finished."""

from __future__ import annotations

from bot.context import CustomContext, Services
from bot.services.refunds import do_settle_refunds

DELIVERY_JOB = "content-delivery"


async def repair_paid_content(services: Services) -> None:
    """Finish refunds a crash interrupted and deliver what is still pending (at every start)."""
    await do_settle_refunds(services.refunds)
    await services.deliverer.repair()


async def retry_deliveries(context: CustomContext) -> None:
    """Deliver bought content still pending after a network error."""
    await context.services.deliverer.repair()
