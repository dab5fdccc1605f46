"""Questions and answers (SPEC §4): ask, answer by reply, accept, close, bounties.

Every `do_*` runs in one transaction that also writes the points (through the points
service, with idempotency keys) and queues private notifications in the outbox, so a
replayed update changes nothing twice. Bounties are held from the asker's spendable
balance when asked and, in the same transaction as the question's last state change,
either paid to the accepted answerer or returned to the asker.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from bot.clock import Clock
from bot.config import QaConfig
from bot.errors import DomainError, InsufficientPoints, NotAdmin, NotFound, Usage
from bot.services.communities import UserInfo
from bot.services.earning import award_accepted_answer, award_answer, award_question
from bot.services.notices import queue_notice
from bot.services.points import Grant, award_points, spend_points
from bot.services.points_rules import Scoring
from bot.services.qa_search import QaIndex, question_doc
from storage.db import Database
from storage.models_qa import Answer, Question
from storage.repos import Repos

_BOUNTY = re.compile(r"^\+([0-9]{1,9})(?:\s+|$)")
EXCERPT_CHARS = 200


@dataclass(frozen=True)
class QaEnv:
    """What the Q&A services need: storage, time, points rules, config and the similarity index."""

    db: Database
    clock: Clock
    scoring: Scoring
    config: QaConfig
    index: QaIndex


def parse_ask(text: str, config: QaConfig) -> tuple[int, str]:
    """Split `/ask [+N] <question>` arguments into (bounty, question); raise Usage when malformed."""
    text = text.strip()
    bounty = 0
    match = _BOUNTY.match(text)
    if match:
        bounty = int(match.group(1))
        text = text[match.end() :].strip()
        if bounty < 1 or bounty > config.max_bounty:
            raise Usage("qa.ask.bad_bounty", max=config.max_bounty)
    if len(text) < config.min_question_chars:
        raise Usage("qa.ask.usage", min=config.min_question_chars)
    return bounty, text


def excerpt(text: str, limit: int = EXCERPT_CHARS) -> str:
    """Return text on one line, cut to limit characters with an ellipsis."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


@dataclass(frozen=True)
class Asked:
    """The outcome of /ask: created is False for a replayed update."""

    question: Question
    created: bool


async def do_ask(
    env: QaEnv, community_id: int, asker: UserInfo, message_id: int, text: str, bounty: int = 0
) -> Asked:
    """Record a question (numbered Q#n), hold its bounty and award asking; once per message."""
    now = env.clock.now()
    async with env.db.transaction() as repos:
        existing = await repos.questions.by_ask_message(community_id, message_id)
        if existing is not None:
            return Asked(existing, False)
        await _store_user(repos, asker, now)
        question = await repos.questions.create(community_id, asker.id, text, message_id, bounty, now)
        if question is None:  # the same /ask, recorded by another process a moment ago
            existing = await repos.questions.by_ask_message(community_id, message_id)
            assert existing is not None
            return Asked(existing, False)
        ref = str(question.id)
        if bounty:
            try:
                hold = Grant(community_id, asker.id, -bounty, "bounty_hold", f"bounty_hold:{ref}", ref=ref)
                await spend_points(repos, env.scoring, hold, now)
            except InsufficientPoints as short:
                balance = short.params.get("balance", 0)
                raise DomainError("qa.bounty.short", bounty=bounty, balance=balance, count=balance) from None
        await award_question(repos, env.scoring, community_id, asker.id, ref, now)
    await env.index.add(community_id, [question_doc(question.id, question.text)])
    return Asked(question, True)


async def do_record_post(
    env: QaEnv, question_id: int, post_message_id: int, offered_faq_id: int | None = None
) -> None:
    """Remember the bot's Q post (and the FAQ entry offered as an immediate answer)."""
    now = env.clock.now()
    async with env.db.transaction() as repos:
        await repos.questions.set_post(question_id, post_message_id, now)
        if offered_faq_id is not None:
            await repos.questions.set_offered_faq(question_id, offered_faq_id, now)


@dataclass(frozen=True)
class Answered:
    """A new answer to an open question; notified tells whether the asker hears of it in private."""

    question: Question
    answer: Answer
    notified: bool


async def do_answer(
    env: QaEnv, community_id: int, author: UserInfo, reply_to_message_id: int, message_id: int, text: str
) -> Answered | None:
    """Record a reply to a question as an answer; None when it is not one (or was recorded)."""
    text = text.strip()
    if len(text) < env.config.min_answer_chars or author.is_bot:
        return None
    # Most replies are not answers: look before taking the write lock.
    async with env.db.read() as repos:
        question = await repos.questions.by_message(community_id, reply_to_message_id)
    if question is None or not question.is_open:
        return None
    now = env.clock.now()
    async with env.db.transaction() as repos:
        question = await repos.questions.lock(question.id)  # not accepted or closed until this commits
        if question is None or not question.is_open:
            return None
        await _store_user(repos, author, now)
        answer = await repos.answers.create(question.id, community_id, author.id, message_id, text, now)
        if answer is None:
            return None
        await repos.questions.count_answer(question.id, now)
        await award_answer(repos, env.scoring, community_id, author.id, question.asker_id, str(answer.id), now)
        notified = False
        if author.id != question.asker_id:
            notified = await _notify(
                repos, question.asker_id, community_id, f"qa:answer:{answer.id}", "qa/answered", now,
                number=question.number, name=author.first_name, excerpt=excerpt(answer.text),
                message_id=answer.message_id,
            )
    return Answered(question, answer, notified)


@dataclass(frozen=True)
class Finished:
    """The outcome of accept/close/FAQ feedback; changed is False for a replay."""

    question: Question
    changed: bool
    answer: Answer | None = None
    rewarded: bool = False
    bounty_paid: int = 0
    bounty_returned: int = 0


async def do_accept(
    env: QaEnv, community_id: int, actor_id: int, actor_is_admin: bool, answer_message_id: int
) -> Finished:
    """Accept the answer posted as this message: solve its question, award points, settle the bounty."""
    now = env.clock.now()
    async with env.db.transaction() as repos:
        answer = await repos.answers.by_message(community_id, answer_message_id)
        if answer is None:
            raise NotFound("qa.accept.not_answer")
        question = await _require_question(repos, answer.question_id, lock=True)
        if question.status == "solved" and question.accepted_answer_id == answer.id:
            return Finished(question, False, answer)
        _check_open(question)
        if actor_id != question.asker_id and not actor_is_admin:
            raise NotAdmin("qa.accept.not_allowed")
        if not await repos.questions.finish(question.id, "solved", now, accepted_answer_id=answer.id):
            raise DomainError("qa.not_open", number=question.number)
        # Accepting one's own answer (as asker or as admin) earns nothing and returns the bounty.
        rewarded = answer.author_id not in (question.asker_id, actor_id)
        if rewarded:
            await award_accepted_answer(
                repos, env.scoring, community_id, answer.author_id, question.asker_id, str(question.id), now
            )
            await _notify(
                repos, answer.author_id, community_id, f"qa:accepted:{question.id}", "qa/accepted", now,
                number=question.number, message_id=answer.message_id,
            )
        paid, returned = await _settle_bounty(repos, env, question, answer.author_id if rewarded else None, now)
        if actor_id != question.asker_id:  # an admin decided for the asker
            await repos.audit.add(community_id, actor_id, "question.accept", answer.author_id,
                                  {"question": question.number}, now)
        question = await _require_question(repos, question.id)
    await env.index.mark_solved(community_id, question.id, question.text, answer.text)
    return Finished(question, True, answer, rewarded, paid, returned)


async def do_close(
    env: QaEnv, community_id: int, actor_id: int, actor_is_admin: bool, *, number: int | None = None,
    message_id: int | None = None,
) -> Finished:
    """Close a question without an accepted answer (asker or admin); return its bounty."""
    now = env.clock.now()
    async with env.db.transaction() as repos:
        if number is not None:
            question = await repos.questions.by_number(community_id, number)
        elif message_id is not None:
            question = await repos.questions.by_message(community_id, message_id)
            answer = None if question else await repos.answers.by_message(community_id, message_id)
            if answer is not None:
                question = await repos.questions.get(answer.question_id)
        else:
            raise Usage("qa.close.usage")
        if question is None:
            raise NotFound("qa.not_found")
        question = await _require_question(repos, question.id, lock=True)
        if question.status == "closed":
            return Finished(question, False)
        _check_open(question)
        if actor_id != question.asker_id and not actor_is_admin:
            raise NotAdmin("qa.close.not_allowed")
        if not await repos.questions.finish(question.id, "closed", now):
            raise DomainError("qa.not_open", number=question.number)
        _, returned = await _settle_bounty(repos, env, question, None, now)
        if actor_id != question.asker_id:  # an admin closed someone else's question
            await repos.audit.add(community_id, actor_id, "question.close", question.asker_id,
                                  {"question": question.number}, now)
        question = await _require_question(repos, question.id)
    return Finished(question, True, bounty_returned=returned)


async def do_faq_feedback(env: QaEnv, community_id: int, number: int, user_id: int, helpful: bool) -> Finished:
    """Take the asker's Yes/No on the FAQ answer offered for Q#number; Yes solves it by FAQ."""
    now = env.clock.now()
    async with env.db.transaction() as repos:
        question = await repos.questions.by_number(community_id, number)
        if question is None or question.offered_faq_id is None:
            raise NotFound("qa.not_found")
        question = await _require_question(repos, question.id, lock=True)
        if user_id != question.asker_id:
            raise NotAdmin("qa.faq.only_asker")
        if not helpful or not question.is_open:
            return Finished(question, False)
        if not await repos.questions.finish(question.id, "solved", now, faq_id=question.offered_faq_id):
            return Finished(question, False)
        _, returned = await _settle_bounty(repos, env, question, None, now)
        question = await _require_question(repos, question.id)
    return Finished(question, True, bounty_returned=returned)


async def _settle_bounty(
    repos: Repos, env: QaEnv, question: Question, winner_id: int | None, now: dt.datetime
) -> tuple[int, int]:
    """Pay the bounty to the winner, or return it to the asker; return (paid, returned)."""
    if not question.bounty:
        return 0, 0
    ref = str(question.id)
    if winner_id is not None:
        pay = Grant(
            question.community_id, winner_id, question.bounty, "bounty_paid", f"bounty_pay:{ref}", ref=ref, scored=False
        )
        await award_points(repos, env.scoring, pay, now)
        return question.bounty, 0
    back = Grant(
        question.community_id, question.asker_id, question.bounty, "bounty_returned", f"bounty_return:{ref}",
        ref=ref, scored=False,
    )
    await award_points(repos, env.scoring, back, now)
    return 0, question.bounty


async def _notify(
    repos: Repos, user_id: int, community_id: int, key: str, kind: str, now: dt.datetime, **params: object
) -> bool:
    """Queue a private notice to a user who started the bot; never a first message."""
    user = await repos.users.get(user_id)
    community = await repos.communities.get(community_id)
    if user is None or community is None or not user.can_message:
        return False
    return await queue_notice(
        repos, key, user_id, kind, now, community_id=community.id, group=community.id, title=community.title,
        username=community.username, **params,
    )


async def _store_user(repos: Repos, user: UserInfo, now: dt.datetime) -> None:
    await repos.users.upsert(
        user.id, user.first_name, user.last_name, user.username, user.language_code, user.is_bot, now
    )


async def _require_question(repos: Repos, question_id: int, *, lock: bool = False) -> Question:
    """Return the question; with lock, hold its row until commit (a concurrent accept or close waits)."""
    question = await (repos.questions.lock(question_id) if lock else repos.questions.get(question_id))
    if question is None:
        raise NotFound("qa.not_found")
    return question


def _check_open(question: Question) -> None:
    if not question.is_open:
        raise DomainError("qa.not_open", number=question.number)

