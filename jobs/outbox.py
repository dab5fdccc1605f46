"""The outbox pass on a timer: retries that came due, and claims that lapsed when a sender died.

Fresh notices don't wait for it: the commit that queued them wakes the sender.
"""

from __future__ import annotations

from bot.context import CustomContext

OUTBOX_JOB = "outbox-drain"


async def wake_outbox(context: CustomContext) -> None:
    """Let the sender look for due notices."""
    context.services.outbox.wake()
