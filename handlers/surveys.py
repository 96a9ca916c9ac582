"""A cycle's surveys: the midpoint pulse and the close-out, each a button that opens a modal."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import ids, replies
from bot.blocks import surveys as views
from bot.usecases import surveys
from bot.usecases.errors import UseCaseError
from bot.usecases.services import Services
from bot.usecases.surveys import SurveyRef
from handlers.common import MAX_ID, StaleAction, answers_errors, deliver_now
from handlers.membership import open_view

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(ids.A_PULSE_OPEN)(on_pulse_open)
    app.view(ids.PULSE_VIEW)(on_pulse)
    app.action(ids.A_CLOSEOUT_OPEN)(on_closeout_open)
    app.view(ids.CLOSEOUT_VIEW)(on_closeout)


def _ref(value: Any) -> SurveyRef:
    ref = surveys.parse_ref(value, high=MAX_ID)
    if ref is None:
        log.info("refused a survey value we could not have written: %r", str(value)[:40])
        raise StaleAction
    return ref


@answers_errors
def on_pulse_open(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    ack()  # only reads; Slack wants the ack before the modal opens
    modal = surveys.pulse_modal_for(services, user_id=body["user"]["id"], ref=_ref(action.get("value")))
    open_view(client, body["trigger_id"], modal)


@answers_errors
def on_closeout_open(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    ack()
    modal = surveys.closeout_modal_for(services, user_id=body["user"]["id"], ref=_ref(action.get("value")))
    open_view(client, body["trigger_id"], modal)


def on_pulse(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services) -> None:
    ref = surveys.parse_ref(view.get("private_metadata"), high=MAX_ID)
    if ref is None:
        ack()
        return  # not a modal we opened
    user_id = body["user"]["id"]
    answers = surveys.read_pulse(view["state"]["values"])
    try:
        errors = surveys.pulse_errors(services, user_id=user_id, ref=ref, answers=answers)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        queued = surveys.submit_pulse(services, user_id=user_id, ref=ref, answers=answers)
    except UseCaseError as error:
        # Said in the modal, where the person is looking: nothing was stored.
        ack(response_action="errors", errors={ids.B_SURVEY_VALUE: replies.error_text(error)})
        return
    ack(response_action="update", view=views.thanks_view(views.pulse_saved(need_help=bool(answers.need_help))))
    deliver_now(services, client, queued)


def on_closeout(ack: Ack, body: dict[str, Any], view: dict[str, Any], services: Services) -> None:
    ref = surveys.parse_ref(view.get("private_metadata"), high=MAX_ID)
    if ref is None:
        ack()
        return
    user_id = body["user"]["id"]
    answers = surveys.read_closeout(view["state"]["values"])
    try:
        errors = surveys.closeout_errors(services, user_id=user_id, ref=ref, answers=answers)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        other_name = surveys.submit_closeout(services, user_id=user_id, ref=ref, answers=answers)
    except UseCaseError as error:
        ack(response_action="errors", errors={ids.B_SURVEY_VALUE: replies.error_text(error)})
        return
    saved = views.closeout_saved(other_name=other_name, continue_pair=bool(answers.continue_pair))
    ack(response_action="update", view=views.thanks_view(saved))
