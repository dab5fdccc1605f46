"""Telegram Stars payments: invoices, pre-checkout, successful payments, refunds, subscriptions."""

from __future__ import annotations

import asyncio
import secrets
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tgsim.common import reply_markup, reply_target, target_chat
from tgsim.errors import ScriptError, bad_request
from tgsim.params import Params
from tgsim.serialize import message_to_dict
from tgsim.world import MessageRecord, UserRecord

if TYPE_CHECKING:
    from tgsim.simulator import Simulator

SUBSCRIPTION_PERIOD = 2592000
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


@dataclass
class InvoiceSpec:
    """What a payment is for: title, payload, currency, amount, optional subscription period."""

    title: str
    description: str
    payload: str
    currency: str
    amount: int
    subscription_period: int | None = None


@dataclass
class Charge:
    """A completed payment."""

    charge_id: str
    user: UserRecord
    spec: InvoiceSpec
    date: int
    expiration: int | None = None
    refunded: bool = False
    refund_date: int | None = None
    canceled: bool = False  # a subscription whose renewal the user (or the bot) cancelled


@dataclass
class PayResult:
    """Outcome of a scripted payment."""

    ok: bool
    error_message: str | None = None
    message: MessageRecord | None = None
    charge_id: str | None = None


@dataclass
class PaymentState:
    """Invoice links, pending pre-checkout queries and charges."""

    links: dict[str, InvoiceSpec] = field(default_factory=dict)
    pending: dict[str, asyncio.Future[dict[str, Any]]] = field(default_factory=dict)
    charges: dict[str, Charge] = field(default_factory=dict)
    order: list[tuple[str, str]] = field(default_factory=list)


def invoice_spec(p: Params, allow_subscription: bool) -> InvoiceSpec:
    """Validate invoice parameters (Stars rules included)."""
    title, description, payload = p.str("title") or "", p.str("description") or "", p.str("payload") or ""
    if not 1 <= len(title) <= 32:
        raise bad_request("INVOICE_TITLE_INVALID" if title else "title is empty")
    if not 1 <= len(description) <= 255:
        raise bad_request("INVOICE_DESCRIPTION_INVALID" if description else "description is empty")
    if not 1 <= len(payload.encode("utf-8")) <= 128:
        raise bad_request("INVOICE_PAYLOAD_INVALID")
    currency = p.str("currency") or ""
    if len(currency) != 3 or not currency.isupper():
        raise bad_request("CURRENCY_INVALID")
    prices = p.json("prices")
    if not isinstance(prices, list) or not prices:
        raise bad_request("can't parse prices JSON object")
    for price in prices:
        if not isinstance(price, dict) or not isinstance(price.get("amount"), int) or not price.get("label"):
            raise bad_request("can't parse prices JSON object")
    amount = sum(price["amount"] for price in prices)
    period = p.int("subscription_period")
    if currency == "XTR":
        if len(prices) != 1 or amount <= 0:
            raise bad_request("STARS_INVOICE_INVALID")
        if p.str("provider_token"):
            raise bad_request("PAYMENT_PROVIDER_INVALID")
    elif not p.str("provider_token"):
        raise bad_request("PAYMENT_PROVIDER_INVALID")
    if period is not None:
        if not allow_subscription or period != SUBSCRIPTION_PERIOD or currency != "XTR" or amount > 10000:
            raise bad_request("SUBSCRIPTION_PERIOD_INVALID")
    return InvoiceSpec(title, description, payload, currency, amount, period)


async def send_invoice(sim: Simulator, p: Params) -> dict[str, Any]:
    """sendInvoice: posts an invoice message."""
    chat = target_chat(sim, p)
    sim.check_bot_can_send(chat)
    spec = invoice_spec(p, allow_subscription=False)
    markup = reply_markup(p)
    if markup is not None and not markup["inline_keyboard"][0][0].get("pay"):
        raise bad_request("BUTTON_TYPE_INVALID")
    invoice = {"title": spec.title, "description": spec.description,
               "start_parameter": p.str("start_parameter", "") or "", "currency": spec.currency,
               "total_amount": spec.amount}
    sim.flood.check(chat)
    msg = sim.new_message(chat, sim.bot, reply_to=reply_target(chat, p), reply_markup=markup,
                          extra={"invoice": invoice}, meta={"invoice": spec})
    sim.notify()
    return message_to_dict(msg)


async def create_invoice_link(sim: Simulator, p: Params) -> str:
    """createInvoiceLink (subscriptions: XTR and subscription_period=2592000 only)."""
    spec = invoice_spec(p, allow_subscription=True)
    slug = secrets.token_urlsafe(12).replace("-", "a").replace("_", "b")
    sim.payments.links[slug] = spec
    return f"https://t.me/${slug}"


async def answer_pre_checkout_query(sim: Simulator, p: Params) -> bool:
    """answerPreCheckoutQuery (only within the deadline, only once)."""
    query_id = p.str("pre_checkout_query_id") or ""
    future = sim.payments.pending.get(query_id)
    if future is None or future.done():
        raise bad_request(QUERY_TOO_OLD)
    ok = p.bool("ok")
    error_message = p.str("error_message")
    if not ok and not error_message:
        raise bad_request("ERROR_MESSAGE_EMPTY")
    future.set_result({"ok": ok, "error_message": error_message})
    return True


async def refund_star_payment(sim: Simulator, p: Params) -> bool:
    """refundStarPayment (a second refund answers CHARGE_ALREADY_REFUNDED)."""
    user_id = p.int("user_id")
    charge = sim.payments.charges.get(p.str("telegram_payment_charge_id") or "")
    if charge is None or charge.user.id != user_id:
        raise bad_request("CHARGE_NOT_FOUND")
    if charge.refunded:
        raise bad_request("CHARGE_ALREADY_REFUNDED")
    charge.refunded = True
    charge.refund_date = sim.now()
    charge.user.stars += charge.spec.amount
    sim.payments.order.append(("refund", charge.charge_id))
    return True


def partner(charge: Charge) -> dict[str, Any]:
    """TransactionPartnerUser for a charge."""
    out: dict[str, Any] = {"type": "user", "transaction_type": "invoice_payment", "user": charge.user.to_dict(),
                           "invoice_payload": charge.spec.payload}
    if charge.spec.subscription_period:
        out["subscription_period"] = charge.spec.subscription_period
    return out


async def get_star_transactions(sim: Simulator, p: Params) -> dict[str, Any]:
    """getStarTransactions (newest last, like the order they happened)."""
    items = []
    for kind, charge_id in sim.payments.order:
        charge = sim.payments.charges[charge_id]
        if kind == "pay":
            items.append({"id": charge_id, "amount": charge.spec.amount, "date": charge.date,
                          "source": partner(charge)})
        else:
            items.append({"id": charge_id, "amount": charge.spec.amount, "date": charge.refund_date,
                          "receiver": partner(charge)})
    offset, limit = p.int("offset", 0) or 0, p.int("limit", 100) or 100
    return {"transactions": items[offset: offset + max(1, min(100, limit))]}


def resolve_invoice(sim: Simulator, invoice: Any) -> InvoiceSpec:
    """Find the invoice behind a message or a t.me/$ link."""
    if isinstance(invoice, MessageRecord):
        spec = invoice.meta.get("invoice")
        if spec is None:
            raise ScriptError("this message is not an invoice")
        return spec
    if isinstance(invoice, str) and "/$" in invoice:
        spec = sim.payments.links.get(invoice.rsplit("/$", 1)[1])
        if spec is not None:
            return spec
    raise ScriptError(f"not an invoice: {invoice!r}")


async def pay(sim: Simulator, user: UserRecord, invoice: Any) -> PayResult:
    """Walk a user through checkout: Stars check, pre_checkout_query, successful_payment."""
    spec = resolve_invoice(sim, invoice)
    if spec.currency == "XTR" and user.stars < spec.amount:
        return PayResult(False, f"not enough Stars: {user.stars} < {spec.amount}")
    query_id = str(sim.next_seq() * 1_000_003 + user.id)
    future: asyncio.Future[dict[str, Any]] = asyncio.get_running_loop().create_future()
    sim.payments.pending[query_id] = future
    sim.emit("pre_checkout_query", {"id": query_id, "from": user.to_dict(), "currency": spec.currency,
                                    "total_amount": spec.amount, "invoice_payload": spec.payload})
    try:
        answer = await asyncio.wait_for(future, sim.precheckout_deadline)
    except TimeoutError:
        return PayResult(False, "the bot did not answer the pre-checkout query in time")
    finally:
        sim.payments.pending.pop(query_id, None)
    if not answer["ok"]:
        return PayResult(False, answer["error_message"])
    expiration = sim.now() + SUBSCRIPTION_PERIOD if spec.subscription_period else None
    return complete_payment(sim, user, spec, expiration, first=True)


def complete_payment(sim: Simulator, user: UserRecord, spec: InvoiceSpec, expiration: int | None,
                     first: bool) -> PayResult:
    """Take the Stars and post the successful_payment service message."""
    user.stars -= spec.amount if spec.currency == "XTR" else 0
    charge = Charge("stx" + secrets.token_hex(16), user, spec, sim.now(), expiration)
    sim.payments.charges[charge.charge_id] = charge
    sim.payments.order.append(("pay", charge.charge_id))
    payment: dict[str, Any] = {"currency": spec.currency, "total_amount": spec.amount,
                               "invoice_payload": spec.payload, "telegram_payment_charge_id": charge.charge_id,
                               "provider_payment_charge_id": "" if spec.currency == "XTR"
                               else "prov_" + secrets.token_hex(8)}
    if expiration is not None:
        payment.update({"subscription_expiration_date": expiration, "is_recurring": True})
        if first:
            payment["is_first_recurring"] = True
    user.started = True
    chat = sim.world.chats[user.id]
    msg = sim.post_service(chat, user, successful_payment=payment)
    msg.meta["charge_id"] = charge.charge_id
    return PayResult(True, None, msg, charge.charge_id)


async def renew_subscription(sim: Simulator, target: Any) -> PayResult:
    """Charge the next 30-day period of the latest subscription of a charge id or user."""
    charges = sim.payments.charges
    if isinstance(target, str):
        charge = charges.get(target)
    else:
        record = getattr(target, "record", target)
        mine = [c for c in charges.values() if c.user.id == record.id and c.expiration is not None]
        charge = mine[-1] if mine else None
    if charge is None or charge.expiration is None:
        raise ScriptError(f"no subscription found for {target!r}")
    latest = max((c for c in charges.values() if c.user.id == charge.user.id and c.spec is charge.spec),
                 key=lambda c: c.expiration or 0)
    if latest.canceled:
        return PayResult(False, "the subscription was cancelled: it does not renew")
    if charge.user.stars < charge.spec.amount:
        set_subscription_state(sim, latest, "failed")  # Telegram tells the bot the renewal failed
        return PayResult(False, f"not enough Stars: {charge.user.stars} < {charge.spec.amount}")
    return complete_payment(sim, charge.user, charge.spec, (latest.expiration or 0) + SUBSCRIPTION_PERIOD,
                            first=False)


def latest_subscription(sim: Simulator, user: UserRecord) -> Charge:
    """Return the user's latest subscription charge (the one that renews)."""
    mine = [c for c in sim.payments.charges.values() if c.user.id == user.id and c.expiration is not None]
    if not mine:
        raise ScriptError(f"{user.first_name} has no subscription")
    return max(mine, key=lambda c: c.expiration or 0)


def set_subscription_state(sim: Simulator, charge: Charge, state: str) -> int | None:
    """Cancel or re-enable a subscription's renewal, or fail it, with the `subscription` update (Bot API 10.2)."""
    if state in ("canceled", "active"):
        for other in sim.payments.charges.values():
            if other.user.id == charge.user.id and other.spec is charge.spec:
                other.canceled = state == "canceled"
    return sim.emit("subscription", {"user": charge.user.to_dict(), "invoice_payload": charge.spec.payload,
                                     "state": state})


METHODS = {
    "sendinvoice": send_invoice, "createinvoicelink": create_invoice_link,
    "answerprecheckoutquery": answer_pre_checkout_query, "refundstarpayment": refund_star_payment,
    "getstartransactions": get_star_transactions,
}
