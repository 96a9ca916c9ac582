"""What every listener shares: the services in Bolt's context, the lead check, reading button values, and the
one mapping from a use case's refusal (`UseCaseError`) to a private reply."""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

from slack_bolt import Ack, App, BoltContext, BoltRequest, BoltResponse, Respond
from slack_bolt.middleware import Middleware
from slack_sdk import WebClient

from bot.blocks import replies
from bot.domain.inputs import whole_number
from bot.usecases.delivery import DeliveryReport, deliver
from bot.usecases.errors import UseCaseError
from bot.usecases.services import Services
from storage.db import StoreUnavailable

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# Action values are database ids we wrote into our own buttons, in 32-bit integer columns (PostgreSQL refuses
# anything larger with an error, not an empty result); anything beyond is forged.
MAX_ID = 2**31 - 1


class StaleAction(UseCaseError):
    """A button whose value isn't one we could have written (forged, or from a much older version)."""


class ProvideServices(Middleware):
    """Puts the services in every request's context, from where Bolt passes them to listeners that name them.

    A `Middleware` subclass rather than a function: Bolt calls a function middleware through the same argument
    injection as a listener (every payload view built, every argument name matched) on each request, for what is
    one dictionary assignment.
    """

    def __init__(self, services: Services) -> None:
        self.services = services

    def process(self, *, req: BoltRequest, resp: BoltResponse, next: Callable[[], BoltResponse]) -> BoltResponse | None:
        req.context["services"] = self.services
        return next()


def install(app: App, services: Services) -> None:
    """Make `services` a listener argument, and answer whatever a listener could not finish."""
    app.middleware(ProvideServices(services))
    app.error(on_error)


def on_error(
    error: Exception, body: dict[str, Any], response: BoltResponse | None, respond: Respond | None
) -> BoltResponse | None:
    """The one answer to a listener that raised: the person hears what happened, Slack gets a 200.

    Listeners store before they acknowledge, so an error before the ack means nothing was kept; Bolt hands us
    the unsent `response` then, and what we return becomes Slack's answer (an inline error on a modal, an
    ephemeral reply to a command). After the ack, a response_url is the only way left to reach the person.
    """
    down = isinstance(error, StoreUnavailable)
    if not down:  # storage logs its own cause in one line
        log.error("unhandled error in a listener (payload type %s)", body.get("type"), exc_info=error)
    text = replies.STORE_DOWN if down else replies.OUR_FAULT
    kind = body.get("type")
    if response is not None and kind == "view_submission":
        block_id = _first_input(body.get("view") or {})
        if block_id is not None:
            return _json(response_action="errors", errors={block_id: replies.NOT_SAVED if down else text})
    if response is not None and "command" in body:
        return _json(response_type="ephemeral", text=text)
    if respond is not None and (body.get("response_url") or kind == "block_actions"):
        try:
            say(respond, text)
        except Exception:  # the apology is best effort; the error itself is logged above
            log.warning("could not tell the person about the error")
    return BoltResponse(status=200, body="") if response is not None else None


def _first_input(view: dict[str, Any]) -> str | None:
    """Where a modal can show an inline error: its first input block."""
    for block in view.get("blocks") or []:
        if block.get("type") == "input" and block.get("block_id"):
            return str(block["block_id"])
    return None


def _json(**fields: Any) -> BoltResponse:
    return BoltResponse(status=200, body=json.dumps(fields), headers={"content-type": "application/json"})


def ack_once(ack: Ack, **kwargs: Any) -> None:
    """Acknowledge unless the listener already has (a refusal can come before or after the ack)."""
    if ack.response is None:
        ack(**kwargs)


def say(respond: Respond, text: str) -> None:
    """A private reply to whoever clicked, leaving the message they clicked in as it was."""
    respond(text=text, response_type="ephemeral", replace_original=False)


def lead_only(
    body: dict[str, Any], context: BoltContext, respond: Respond, next_: Callable[[], BoltResponse]
) -> BoltResponse:
    """Listener middleware for the leads' buttons: leads pass; anyone else is told politely, the click is
    acknowledged, and the listener never runs."""
    services: Services = context["services"]
    if services.settings.is_lead(str((body.get("user") or {}).get("id") or "")):
        return next_()
    say(respond, replies.NOT_A_LEAD)
    return BoltResponse(status=200, body="")


def action_id_value(action: dict[str, Any]) -> int:
    """The database id a button carries; `StaleAction` for anything we could not have written."""
    value = whole_number(action.get("value"), low=1, high=MAX_ID)
    if value is None:
        log.info("refused a button value we could not have written: %r", str(action.get("value"))[:40])
        raise StaleAction
    return value


def answers_errors(listener: Callable[P, R]) -> Callable[P, R | None]:
    """Reply to a `UseCaseError` privately, in its words (`bot.blocks.replies.error_text`)."""

    @functools.wraps(listener)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return listener(*args, **kwargs)
        except UseCaseError as error:
            ack = kwargs.get("ack")
            if isinstance(ack, Ack):
                ack_once(ack)
            respond = kwargs.get("respond")
            if isinstance(respond, Respond):
                say(respond, replies.STALE_BUTTON if isinstance(error, StaleAction) else replies.error_text(error))
        return None

    return wrapper


def deliver_now(services: Services, client: WebClient, keys: Sequence[str]) -> DeliveryReport:
    """Send what a use case just queued, straight away; whatever Slack refuses stays queued for the tick."""
    if not keys:
        return DeliveryReport()
    return deliver(services, client, keys=list(keys))
