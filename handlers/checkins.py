"""Check-ins after sessions, and the leads' buttons on a pair that has stalled (nudge, rematch, snooze)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import ids, replies
from bot.domain.inputs import whole_number
from bot.usecases import checkins
from bot.usecases.errors import AnswersRefused, UseCaseError
from bot.usecases.services import Services
from handlers.common import MAX_ID, action_id_value, answers_errors, deliver_now, lead_only, say
from handlers.membership import open_view


def register(app: App) -> None:
    app.action(ids.A_CHECKIN_OPEN)(on_checkin_open)
    app.view(ids.CHECKIN_VIEW)(on_checkin)
    leads = [lead_only]
    app.action(ids.A_LEAD_NUDGE, middleware=leads)(on_lead_nudge)
    app.action(ids.A_LEAD_REMATCH, middleware=leads)(on_lead_rematch)
    app.action(ids.A_LEAD_SNOOZE, middleware=leads)(on_lead_snooze)


@answers_errors
def on_checkin_open(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    ack()  # only reads; Slack wants the ack before the modal opens
    modal = checkins.checkin_modal_for(services, user_id=body["user"]["id"], prompt_id=action_id_value(action))
    open_view(client, body["trigger_id"], modal)


def on_checkin(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services) -> None:
    answers = checkins.read_checkin(view["state"]["values"])
    errors = checkins.validate_checkin(answers)
    if errors:
        ack(response_action="errors", errors=errors)
        return
    prompt_id = whole_number(view.get("private_metadata"), low=1, high=MAX_ID)
    if prompt_id is None:
        ack()
        return  # not a modal we opened
    try:
        queued = checkins.submit_checkin(services, user_id=body["user"]["id"], prompt_id=prompt_id, answers=answers)
    except AnswersRefused as refused:
        ack(response_action="errors", errors=refused.errors)
        return
    except UseCaseError:
        ack()
        return  # someone else's, or forged: the modal closes and nothing is stored
    ack()
    deliver_now(services, client, queued)


def _alert_ts(body: dict[str, Any]) -> str:
    return str((body.get("message") or {}).get("ts", ""))


@answers_errors
def on_lead_nudge(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    queued = checkins.lead_nudge(services, pairing_id=action_id_value(action), alert_ts=_alert_ts(body))
    ack()
    deliver_now(services, client, queued)
    say(respond, replies.nudged())


@answers_errors
def on_lead_rematch(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    queued = checkins.offer_rematch(services, pairing_id=action_id_value(action), alert_ts=_alert_ts(body))
    ack()
    deliver_now(services, client, queued)
    say(respond, replies.rematch_offered())


@answers_errors
def on_lead_snooze(ack: Ack, action: dict[str, Any], respond: Respond, services: Services) -> None:
    until = checkins.snooze(services, pairing_id=action_id_value(action))
    ack()
    say(respond, replies.snoozed(until))
