"""Q&A texts and keyboards: the Q post in each state, lists, threads, search results, and the private notices."""

from __future__ import annotations

from typing import Any

from telegram import InlineKeyboardMarkup

from bot.i18n import Raw
from bot.links import anchor, message_link
from bot.services.qa_search import SearchResult, Suggestions
from bot.services.question_views import Page, QuestionView
from bot.services.questions import excerpt
from bot.views.base import NoticeEnv, NoticeRenderer, Rendered, Texts
from bot.views.qa_buttons import button, pager
from storage.models import Community
from storage.models_qa import FaqEntry, Question

# Room for the frame around a quoted question within Telegram's 4096 characters.
QUOTE_CHARS = 3500
TITLE_CHARS = 60
BUTTON_TITLE_CHARS = 40
# Catalog keys per question status: the word on a Q post, the mark in search results.
STATUSES = {"open": "qa.status.open", "solved": "qa.status.solved", "closed": "qa.status.closed"}
MARKS = {"open": "qa.mark.open", "solved": "qa.mark.solved", "closed": "qa.mark.closed"}
# What a FAQ answer offered under a question led to.
FAQ_OUTCOMES = {"solved": "qa.faq_answer.solved", "open": "qa.faq_answer.open"}


def post_text(context: Texts, community: Community, view: QuestionView) -> str:
    """Return the Q post for the question's current state."""
    q = view.question
    common = {"number": q.number, "name": view.asker_name, "text": excerpt_block(q.text)}
    if q.status == "solved" and view.answer is not None:
        url = message_link(community.id, community.username, view.answer.message_id)
        name = view.answerer_name or ""
        answerer = anchor(url, name, "") if url else name
        return context.t("qa.post.solved", answerer=answerer, excerpt=excerpt(view.answer.text), **common)
    if q.status == "solved" and view.faq is not None:
        return context.t("qa.post.solved_faq", faq=view.faq.number, faq_question=excerpt(view.faq.question), **common)
    if q.status == "closed":
        return context.t("qa.post.closed", **common)
    bounty = Raw(context.t("qa.post.bounty", bounty=q.bounty, count=q.bounty)) if q.bounty else Raw("")
    return context.t("qa.post.open", bounty=bounty, **common)


def excerpt_block(text: str) -> str:
    """Return the question as quoted in a post, shortened only when it would not fit."""
    return text if len(text) <= QUOTE_CHARS else text[: QUOTE_CHARS - 1] + "…"


def suggestions_markup(context: Texts, suggestions: Suggestions) -> InlineKeyboardMarkup | None:
    """Return one button per similar solved question or FAQ entry."""
    # Button labels are plain text: user text goes in unescaped (Raw).
    rows = [
        [button(context.t("qa.button.question", number=s.question.number,
                          title=Raw(excerpt(s.question.text, BUTTON_TITLE_CHARS))), "sq", s.question.number)]
        for s in suggestions.questions
    ]
    rows += [
        [button(context.t("qa.button.faq", number=s.entry.number,
                          title=Raw(excerpt(s.entry.question, BUTTON_TITLE_CHARS))), "sf", s.entry.number)]
        for s in suggestions.faq
    ]
    return InlineKeyboardMarkup(rows) if rows else None


def faq_answer_text(context: Texts, entry: FaqEntry, asker_name: str, outcome: str | None = None) -> str:
    """Return the immediate FAQ answer, with the asker's verdict once given ('solved'/'open')."""
    text = context.t("qa.faq_answer", number=entry.number, question=excerpt(entry.question, TITLE_CHARS * 4),
                     answer=excerpt_block(entry.answer), name=asker_name)
    if outcome is not None:
        text += context.t(FAQ_OUTCOMES[outcome])
    return text


def faq_answer_markup(context: Texts, number: int) -> InlineKeyboardMarkup:
    """Return the Yes/No buttons under an immediate FAQ answer."""
    return InlineKeyboardMarkup([[button(context.t("qa.button.yes"), "fy", number),
                                  button(context.t("qa.button.no"), "fn", number)]])


def bounty_returned_line(context: Texts, bounty: int, name: str) -> str:
    """Return the line that tells everyone the asker's bounty came back."""
    return context.t("qa.bounty.returned", bounty=bounty, name=name, count=bounty)


def suggestion_alert(context: Texts, view: QuestionView) -> str:
    """Return the popup shown for a suggested question (its accepted answer); the bot cuts it to 200."""
    q = view.question
    if view.answer is None:
        return context.t("qa.alert.question_plain", number=q.number, text=excerpt(q.text))
    return context.t("qa.alert.question", number=q.number, name=view.answerer_name or "",
                     answer=excerpt(view.answer.text))


def faq_alert(context: Texts, entry: FaqEntry) -> str:
    """Return the popup shown for a suggested FAQ entry."""
    return context.t("qa.alert.faq", number=entry.number, answer=excerpt(entry.answer))


def thread_text(context: Texts, community: Community, view: QuestionView) -> str:
    """Return /q: the question, its state, answer count, accepted answer and links."""
    q = view.question
    lines = [context.t("qa.thread.head", number=q.number, name=view.asker_name,
                       status=context.t(STATUSES[q.status]), text=excerpt_block(q.text)),
             context.t("qa.thread.answers", count=q.answer_count)]
    if q.bounty:
        lines.append(context.t("qa.thread.bounty", bounty=q.bounty, count=q.bounty))
    answer_url = None
    if view.answer is not None:
        answer_url = message_link(community.id, community.username, view.answer.message_id)
        lines.append(context.t("qa.thread.accepted", name=view.answerer_name or "",
                               excerpt=excerpt(view.answer.text)))
    elif view.faq is not None and q.faq_id is not None:
        lines.append(context.t("qa.thread.faq", number=view.faq.number, question=view.faq.question))
    post_url = message_link(community.id, community.username, q.post_message_id or q.message_id)
    links = anchor(post_url, context.t("qa.link.question"), "")
    links += anchor(answer_url, context.t("qa.link.answer"), " · ")
    if links:
        lines.append(context.t("qa.thread.links", links=Raw(links)))
    return "\n".join(lines)


def open_list(
    context: Texts, community: Community, page: Page[Question]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return a page of /questions and its Back/Next buttons."""
    if not page.total:
        return context.t("qa.list.empty"), None
    lines = [context.t("qa.list.head", total=page.total, page=page.page + 1, pages=page.pages)]
    for q in page.items:
        bounty = Raw(context.t("qa.list.bounty", bounty=q.bounty)) if q.bounty else Raw("")
        link = anchor(message_link(community.id, community.username, q.post_message_id or q.message_id),
                      context.t("qa.link.open"), " · ")
        lines.append(context.t("qa.list.item", number=q.number, title=excerpt(q.text, TITLE_CHARS),
                               answers=q.answer_count, bounty=bounty, link=link))
    return "\n".join(lines), pager("pq", page.page, page.pages, context.t("qa.page.prev"), context.t("qa.page.next"))


def faq_list(context: Texts, page: Page[FaqEntry]) -> tuple[str, InlineKeyboardMarkup | None]:
    """Return a page of /faq and its Back/Next buttons."""
    if not page.total:
        return context.t("faq.list.empty"), None
    lines = [context.t("faq.list.head", total=page.total, page=page.page + 1, pages=page.pages, count=page.total)]
    lines += [context.t("faq.list.item", number=e.number, question=excerpt(e.question, TITLE_CHARS * 2),
                        answer=excerpt(e.answer)) for e in page.items]
    return "\n".join(lines), pager("pf", page.page, page.pages, context.t("qa.page.prev"), context.t("qa.page.next"))


def search_text(context: Texts, community: Community, query: str, results: list[SearchResult]) -> str:
    """Return /search results, best first."""
    if not results:
        return context.t("qa.search.empty", query=excerpt(query, TITLE_CHARS))
    lines = [context.t("qa.search.head", query=excerpt(query, TITLE_CHARS))]
    for rank, result in enumerate(results, 1):
        if result.question is not None:
            q = result.question
            link = anchor(message_link(community.id, community.username, q.post_message_id or q.message_id),
                          context.t("qa.link.open"), " · ")
            lines.append(context.t("qa.search.question", rank=rank, mark=context.t(MARKS[q.status]),
                                   number=q.number, title=excerpt(q.text, TITLE_CHARS), link=link))
            if result.answer is not None:
                lines.append(context.t("qa.search.answer", excerpt=excerpt(result.answer.text, TITLE_CHARS * 2)))
        elif result.entry is not None:
            lines.append(context.t("qa.search.faq", rank=rank, number=result.entry.number,
                                   question=excerpt(result.entry.question, TITLE_CHARS),
                                   answer=excerpt(result.entry.answer, TITLE_CHARS * 2)))
    return "\n".join(lines)


# --- notices in private -----------------------------------------------------------------


def _link(env: NoticeEnv, params: dict[str, Any]) -> str:
    url = message_link(params["group"], params.get("username"), params.get("message_id"))
    return anchor(url, env.t("qa.link.goto"), "\n")


def render_answered(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Tell the asker their question got an answer."""
    return Rendered(env.t(
        "qa.notify.answer", title=params["title"], link=_link(env, params), number=params["number"],
        name=params["name"], excerpt=params["excerpt"],
    ))


def render_accepted(env: NoticeEnv, params: dict[str, Any]) -> Rendered:
    """Tell the answerer their answer was accepted."""
    return Rendered(env.t(
        "qa.notify.accepted", title=params["title"], link=_link(env, params), number=params["number"]
    ))


NOTICES: dict[str, NoticeRenderer] = {
    "qa/answered": render_answered,
    "qa/accepted": render_accepted,
}
