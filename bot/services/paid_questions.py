"""Paid questions (付费提问): a member pays Stars to ask the community's admins in private.

`/askpaid <question>` drafts it; an order of kind "question" carries the Stars invoice; recording
the payment (bot.services.payments dispatches here) hands it to every admin who started the bot,
with Answer / Decline buttons. The first admin to answer or decline settles it: an answer goes to
the asker (who may let it be posted to the group as a solved Q); a decline, or no answer within the
community's `ask_answer_days`, refunds it through bot.services.refunds. Every step is a conditional
status change (storage/schema/paid_questions.py), so replays, races and restarts settle it once.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from bot.clock import Clock
from bot.config import Settings
from bot.errors import DomainError, NotAdmin, NotFound, Usage
from bot.services.communities import UserInfo
from bot.services.communities import ensure_user
from bot.services.notices import queue_notice
from bot.services.qa_search import QaIndex, question_doc
from bot.services.questions import excerpt
from bot.services.settings import read_community_settings
from storage.db import Database
from storage.models import Community
from storage.models_content import Order, StarPayment
from storage.models_paid import PaidQuestion
from storage.models_qa import Question
from storage.repos import Repos

MAX_QUESTION_CHARS = 3000
MAX_ANSWER_CHARS = 3000
NOTICE_EXCERPT = 600
SETTLED = ("answered", "declined", "expired", "refunded")


@dataclass(frozen=True)
class PaidEnv:
    """What the paid-question services need: storage, time and the loaded config."""

    db: Database
    clock: Clock
    settings: Settings


@dataclass(frozen=True)
class Offer:
    """A community the member may ask, at its price."""

    community: Community
    price: int


@dataclass(frozen=True)
class Draft:
    """A drafted question and the communities it may go to."""

    question: PaidQuestion
    offers: list[Offer]


@dataclass(frozen=True)
class Settled:
    """An Answer, Decline or consent press: the question after it, and whether it changed anything."""

    question: PaidQuestion
    changed: bool


def parse_question(text: str, settings: Settings) -> str:
    """Return the question of `/askpaid <question>`, or raise Usage."""
    text = text.strip()
    low = settings.qa.min_question_chars
    if len(text) < low or len(text) > MAX_QUESTION_CHARS:
        raise Usage("paidq.usage", min=low, max=MAX_QUESTION_CHARS)
    return text


async def _offers(repos: Repos, settings: Settings, user_id: int) -> list[Offer]:
    offers = []
    for community, _membership in await repos.communities.list_for_user(user_id):
        price = (await read_community_settings(repos, community.id, settings))["ask_price"]
        if price > 0:
            offers.append(Offer(community, price))
    return offers


async def do_draft(env: PaidEnv, asker: UserInfo, text: str) -> Draft:
    """Record the question as a draft and return the communities (in) that take paid questions."""
    now = env.clock.now()
    async with env.db.transaction() as repos:
        offers = await _offers(repos, env.settings, asker.id)
        if not offers:
            raise DomainError("paidq.none")
        await ensure_user(repos, asker, now)
        question = await repos.paid_questions.add(asker.id, text, now)
    return Draft(question, offers)


async def do_create_question_order(
    env: PaidEnv, secret: bytes | None, question_id: int, community_id: int, asker: UserInfo
) -> tuple[Order, PaidQuestion, Community]:
    """Create the Stars order for a drafted question in one community, at its current price."""
    from bot.services.payments import PaymentsOff  # payments dispatches here: import it late

    if secret is None:
        raise PaymentsOff()
    now = env.clock.now()
    async with env.db.transaction() as repos:
        question = await repos.paid_questions.get(question_id)
        if question is None or question.asker_id != asker.id:
            raise NotFound("paidq.unknown")
        if question.status not in ("draft", "invoiced"):
            raise DomainError("paidq.settled")
        offer = next((o for o in await _offers(repos, env.settings, asker.id) if o.community.id == community_id), None)
        if offer is None:
            raise DomainError("paidq.off")
        if not await _answerers(repos, community_id, asker.id):
            raise DomainError("paidq.no_admins")
        days = (await read_community_settings(repos, community_id, env.settings))["ask_answer_days"]
        expires = now + dt.timedelta(minutes=env.settings.payments.order_ttl_minutes)
        order = await repos.orders.add(community_id, asker.id, "question", offer.price, now, expires)
        await repos.paid_questions.move(
            question.id, ("draft", "invoiced"), "invoiced", now,
            community_id=community_id, amount=offer.price, order_id=order.id, answer_days=days,
        )
        question = await _require(repos, question.id)
    return order, question, offer.community


async def _answerers(repos: Repos, community_id: int, asker_id: int) -> list[int]:
    """The admins (other than the asker) the bot may write to in private."""
    admins = sorted(await repos.memberships.admins(community_id) - {asker_id})
    users = await repos.users.get_many(admins)
    return [uid for uid in admins if uid in users and users[uid].can_message]


# --- payment: called inside bot.services.payments' transactions ---------------------------


async def question_refusal(repos: Repos, order: Order) -> str | None:
    """Return the pre-checkout refusal key for a question order, or None when it may be paid."""
    question = await repos.paid_questions.by_order(order.id)
    if question is None:
        return "pay.refuse.unavailable"
    if question.status != "invoiced":
        return "pay.refuse.paid"
    return None


async def grant_question(repos: Repos, order: Order, payment: StarPayment, now: dt.datetime) -> str | None:
    """Hand a paid question to the admins; return why it must be refunded instead (None: granted)."""
    question = await repos.paid_questions.by_order(order.id)
    if question is None:
        return "orphan"
    if not await repos.orders.mark_paid(order.id, now):
        return "order_paid"
    deadline = now + dt.timedelta(days=question.answer_days or 1)
    if not await repos.paid_questions.move(
        question.id, ("invoiced",), "waiting", now, payment_id=payment.id, deadline_at=deadline
    ):
        return "order_paid"
    community = await repos.communities.get(order.community_id)
    asker = await repos.users.get(order.user_id)
    common = {
        "question": question.id, "title": community.title if community else "", "amount": payment.amount,
        "deadline": deadline.strftime("%Y-%m-%d %H:%M UTC"), "name": asker.first_name if asker else "",
    }
    for admin_id in await _answerers(repos, order.community_id, order.user_id):
        await queue_notice(
            repos, f"paidq:asked:{question.id}:{admin_id}", admin_id, "paidq/asked", now,
            community_id=order.community_id, text=excerpt_block(question.text), **common,
        )
    await queue_notice(
        repos, f"paidq:sent:{question.id}", order.user_id, "paidq/sent", now, community_id=order.community_id,
        **common,
    )
    return None


async def on_refunded(repos: Repos, payment: StarPayment, now: dt.datetime) -> None:
    """Inside finish_refund: a question refunded before it was settled (an admin's /refund) is settled now."""
    question = await repos.paid_questions.by_payment(payment.id)
    if question is not None:
        await repos.paid_questions.move(question.id, ("invoiced", "waiting"), "refunded", now, settled_at=now)


def excerpt_block(text: str, limit: int = MAX_QUESTION_CHARS) -> str:
    """Return text cut to limit characters (line breaks kept)."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


# --- the admins' side ----------------------------------------------------------------------


async def get_paid_question(db: Database, question_id: int) -> PaidQuestion:
    """Return the question, or raise NotFound."""
    async with db.read() as repos:
        return await _require(repos, question_id)


async def get_asker_name(db: Database, question: PaidQuestion) -> str:
    """Return the first name of the member who asked."""
    async with db.read() as repos:
        user = await repos.users.get(question.asker_id)
    return user.first_name if user else ""


async def get_prompted(db: Database, chat_id: int, message_id: int) -> PaidQuestion | None:
    """Return the question an answer prompt (this bot message in this private chat) was sent for."""
    async with db.read() as repos:
        return await repos.paid_questions.by_prompt(chat_id, message_id)


def _check_answerable(question: PaidQuestion, actor_is_admin: bool, now: dt.datetime) -> None:
    if not actor_is_admin:
        raise NotAdmin("paidq.admins_only")
    if question.status != "waiting":
        raise DomainError("paidq.settled")
    if question.deadline_at is not None and question.deadline_at <= now:
        raise DomainError("paidq.too_late")


async def do_record_prompt(
    env: PaidEnv, question_id: int, actor_is_admin: bool, chat_id: int, message_id: int
) -> None:
    """Remember the prompt an admin replies to with the answer."""
    now = env.clock.now()
    async with env.db.transaction() as repos:
        question = await _require(repos, question_id)
        _check_answerable(question, actor_is_admin, now)
        await repos.paid_questions.add_prompt(chat_id, message_id, question.id, now)


def check_answerable(env: PaidEnv, question: PaidQuestion, actor_is_admin: bool) -> None:
    """Raise unless this admin may answer or decline the question now."""
    _check_answerable(question, actor_is_admin, env.clock.now())


async def do_answer_paid(
    env: PaidEnv, question_id: int, actor: UserInfo, actor_is_admin: bool, text: str
) -> PaidQuestion:
    """Record an admin's answer and send it to the asker (once); audited."""
    text = text.strip()
    if len(text) < env.settings.qa.min_answer_chars or len(text) > MAX_ANSWER_CHARS:
        raise Usage("paidq.answer.length", min=env.settings.qa.min_answer_chars, max=MAX_ANSWER_CHARS)
    now = env.clock.now()
    async with env.db.transaction() as repos:
        question = await _require(repos, question_id)
        _check_answerable(question, actor_is_admin, now)
        await ensure_user(repos, actor, now)
        if not await repos.paid_questions.move(
            question.id, ("waiting",), "answered", now, answerer_id=actor.id, answer_text=text, answered_at=now,
            settled_by=actor.id, settled_at=now,
        ):
            raise DomainError("paidq.settled")
        community_id = question.community_id or 0
        community = await repos.communities.get(community_id)
        await queue_notice(
            repos, f"paidq:answered:{question.id}", question.asker_id, "paidq/answered", now,
            community_id=community_id, question=question.id, title=community.title if community else "",
            name=actor.first_name, text=excerpt(question.text, NOTICE_EXCERPT), answer=text,
        )
        await repos.audit.add(community_id, actor.id, "paid_question.answer", question.asker_id,
                              {"question": question.id, "amount": question.amount}, now)
        return await _require(repos, question.id)


async def do_decline_paid(env: PaidEnv, question_id: int, actor_id: int, actor_is_admin: bool) -> Settled:
    """Decline a waiting question: its payment becomes due for a refund (settled by the caller); audited."""
    now = env.clock.now()
    async with env.db.transaction() as repos:
        question = await _require(repos, question_id)
        if question.status == "declined" and actor_is_admin:
            return Settled(question, False)  # pressed twice: the refund is under way or done
        _check_answerable(question, actor_is_admin, now)
        if not await repos.paid_questions.move(
            question.id, ("waiting",), "declined", now, settled_by=actor_id, settled_at=now
        ):
            raise DomainError("paidq.settled")
        await repos.payments.move(
            question.payment_id or 0, ("paid",), "refund_due", refund_reason="declined", refunded_by=actor_id
        )
        await repos.audit.add(question.community_id or 0, actor_id, "paid_question.decline", question.asker_id,
                              {"question": question.id, "amount": question.amount}, now)
        return Settled(await _require(repos, question.id), True)


async def do_expire_overdue(env: PaidEnv) -> list[int]:
    """Mark questions unanswered past their deadline expired and their payments due a refund; return those."""
    now = env.clock.now()
    due = []
    async with env.db.transaction() as repos:
        for question in await repos.paid_questions.overdue(now):
            if not await repos.paid_questions.move(question.id, ("waiting",), "expired", now, settled_at=now):
                continue
            if await repos.payments.move(question.payment_id or 0, ("paid",), "refund_due", refund_reason="unanswered"):
                due.append(question.payment_id or 0)
    return due


# --- the asker's consent to post it in the group -------------------------------------------


async def do_consent(env: PaidEnv, question_id: int, user_id: int, post: bool) -> tuple[Settled, Question | None]:
    """Take the asker's choice; to post, record it as a solved Q (the caller posts it) and return that Q."""
    now = env.clock.now()
    async with env.db.transaction() as repos:
        question = await _require(repos, question_id)
        if question.asker_id != user_id:
            raise NotAdmin("paidq.only_asker")
        if question.status != "answered":
            raise DomainError("paidq.settled")
        if not post:
            changed = await repos.paid_questions.set_consent(question.id, (None,), "private", now)
            return Settled(await _require(repos, question.id), changed), None
        if not await repos.paid_questions.set_consent(question.id, (None, "private"), "posting", now):
            return Settled(question, False), None
        community_id = question.community_id or 0
        # No group message asked it: a negative placeholder keeps (community, message id) unique.
        qa = await repos.questions.create(community_id, question.asker_id, question.text, -question.id, 0, now)
        assert qa is not None
        answer = await repos.answers.create(
            qa.id, community_id, question.answerer_id or 0, -question.id, question.answer_text or "", now
        )
        assert answer is not None
        await repos.questions.count_answer(qa.id, now)
        await repos.questions.finish(qa.id, "solved", now, accepted_answer_id=answer.id)
        await repos.paid_questions.set_consent(question.id, ("posting",), "posting", now, qa_question_id=qa.id)
        qa = await repos.questions.get(qa.id)
        return Settled(await _require(repos, question.id), True), qa


async def do_record_group_post(
    env: PaidEnv, index: QaIndex, question: PaidQuestion, qa: Question, post_message_id: int
) -> None:
    """Remember the group post of a paid question and make it findable by /search and suggestions."""
    now = env.clock.now()
    async with env.db.transaction() as repos:
        await repos.questions.set_post(qa.id, post_message_id, now)
        await repos.paid_questions.set_consent(question.id, ("posting",), "posted", now)
    await env_index_solved(index, qa, question.answer_text)


async def env_index_solved(index: QaIndex, qa: Question, answer: str | None) -> None:
    """Index a posted paid question as a solved one."""
    await index.add(qa.community_id, [question_doc(qa.id, qa.text)])
    await index.mark_solved(qa.community_id, qa.id, qa.text, answer)


async def _require(repos: Repos, question_id: int) -> PaidQuestion:
    question = await repos.paid_questions.get(question_id)
    if question is None:
        raise NotFound("paidq.unknown")
    return question
