"""The agreement's "We agree" button, and the confidence modal (opened from the welcome DM or the Home tab)."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import goals as views
from bot.blocks import ids
from bot.usecases import goals
from bot.usecases.errors import AnswersRefused, NotJoined
from bot.usecases.home import refresh_home
from bot.usecases.services import Services
from handlers.common import action_id_value, answers_errors, say
from handlers.membership import open_view


def register(app: App) -> None:
    app.action(ids.A_AGREE)(on_agree)
    app.action(ids.A_CONFIDENCE_OPEN)(on_confidence_open)
    app.view(ids.CONFIDENCE_VIEW)(on_confidence_submitted)


@answers_errors
def on_agree(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    user_id = body["user"]["id"]
    anchor = action_id_value(action)
    agreed = goals.agree(services, user_id=user_id, anchor_id=anchor)
    ack()
    message = body.get("message") or {}
    if agreed.changed and message.get("blocks"):
        # Everyone in the conversation sees who has agreed, under the button they all share.
        status = views.agreement_status(agreed=agreed.group_agreed, waiting=agreed.group_waiting)
        blocks = views.with_agreement_status(message["blocks"], anchor=anchor, status=status)
        respond(text=str(message.get("text") or ""), blocks=blocks, replace_original=True)
    say(respond, views.agreed_reply(waiting_for=agreed.waiting_for, changed=agreed.changed))
    refresh_home(services, client, user_id)


@answers_errors
def on_confidence_open(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, services: Services) -> None:
    modal = goals.confidence_modal_for(services, user_id=body["user"]["id"])
    ack()
    open_view(client, body["trigger_id"], modal)


def on_confidence_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    user_id = body["user"]["id"]
    answers = views.read_confidence(view["state"]["values"])
    try:
        goals.save_confidence(services, user_id=user_id, answers=answers)
    except AnswersRefused as refused:
        ack(response_action="errors", errors=refused.errors)
        return
    except NotJoined:
        ack()
        return  # they left since the modal opened: nothing to keep
    ack()
    refresh_home(services, client, user_id)
