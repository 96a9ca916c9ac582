"""What every listener shares: the services in Bolt's context, the lead check, reading button values, and the
one mapping from a use case's refusal (`UseCaseError`) to a private reply."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from typing import Any, ParamSpec, TypeVar

from slack_bolt import App, BoltContext, BoltResponse, Respond
from slack_sdk import WebClient

from bot.blocks import replies
from bot.domain.inputs import whole_number
from bot.usecases.delivery import DeliveryReport, deliver
from bot.usecases.errors import UseCaseError
from bot.usecases.services import Services

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")

# Action values are database ids we wrote into our own buttons; anything beyond is forged.
MAX_ID = 2**63 - 1


class StaleAction(UseCaseError):
    """A button whose value isn't one we could have written (forged, or from a much older version)."""


def install(app: App, services: Services) -> None:
    """Make `services` a listener argument: Bolt passes context keys to listeners that name them."""

    @app.middleware
    def provide_services(context: BoltContext, next_: Callable[[], BoltResponse]) -> BoltResponse:
        context["services"] = services
        return next_()


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
