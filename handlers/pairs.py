"""The buttons in a pair's conversation and in private offers: log a session, set the next date, say the match
isn't working, ask for a rematch."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import ids, replies
from bot.blocks.matching import cadence_modal
from bot.blocks.scheduling import attendance_modal
from bot.domain.inputs import whole_number
from bot.domain.people import Cadence
from bot.usecases import checkins, pairs, sessions
from bot.usecases.errors import UseCaseError
from bot.usecases.services import Services
from handlers.common import MAX_ID, action_id_value, answers_errors, deliver_now, say
from handlers.membership import open_view


def register(app: App) -> None:
    app.action(ids.A_LOG_SESSION)(on_log)
    app.action(ids.A_NOT_WORKING)(on_not_working)
    app.action(ids.A_REMATCH_ME)(on_rematch_me)
    app.action(ids.A_CADENCE)(on_cadence_button)
    app.view(ids.CADENCE_VIEW)(on_cadence_submitted)


@answers_errors
def on_log(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    anchor, user_id = action_id_value(action), body["user"]["id"]
    group = sessions.who_could_attend(services, user_id=user_id, anchor_id=anchor)
    if group:
        # A mentor with several mentees: say who came, so nobody absent gets a session or a check-in.
        ack()
        open_view(client, body["trigger_id"], attendance_modal(anchor=anchor, mentees=group))
        return
    logged = sessions.log_session_today(services, user_id=user_id, anchor_id=anchor)
    ack()
    say(
        respond,
        replies.session_logged(
            count=logged.count, first_time=logged.first_time, held_on=logged.held_on, today=logged.today
        ),
    )


@answers_errors
def on_not_working(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    queued = pairs.report_not_working(services, anchor_id=action_id_value(action), reporter=body["user"]["id"])
    ack()
    deliver_now(services, client, queued)
    say(respond, replies.not_working_reported())


@answers_errors
def on_rematch_me(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    ended = checkins.rematch_me(services, user_id=body["user"]["id"], pairing_id=action_id_value(action))
    ack()
    deliver_now(services, client, ended.keys)
    say(respond, replies.rematch_done())


@answers_errors
def on_cadence_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    anchor = action_id_value(action)
    current = pairs.current_cadence(services, user_id=body["user"]["id"], anchor_id=anchor)
    ack()
    open_view(client, body["trigger_id"], cadence_modal(anchor=anchor, current=current))


def on_cadence_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    anchor = whole_number(view.get("private_metadata"), low=1, high=MAX_ID)
    chosen = (view["state"]["values"].get(ids.B_CADENCE_CHOICE, {}).get(ids.A_VALUE) or {}).get("selected_option")
    try:
        cadence = Cadence(str((chosen or {}).get("value")))
    except ValueError:
        cadence = None
    if anchor is None or cadence is None:
        ack(response_action="errors", errors={ids.B_CADENCE_CHOICE: "Choose how often you'll meet."})
        return
    try:
        queued = pairs.change_cadence(services, user_id=body["user"]["id"], anchor_id=anchor, cadence=cadence)
    except UseCaseError as error:
        ack(response_action="errors", errors={ids.B_CADENCE_CHOICE: replies.error_text(error)})
        return
    ack()
    deliver_now(services, client, queued)
