"""Buttons: on the Home tab and in ephemeral messages."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks.messages import leave_modal, left_text, pause_modal
from bot.usecases import membership as program
from bot.usecases.services import Services
from handlers.modals import open_signup, open_view


def register(app: App, services: Services) -> None:
    @app.action(ids.A_JOIN)
    @app.action(ids.A_EDIT)
    def on_join(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_signup(services, client, user_id=body["user"]["id"], trigger_id=body["trigger_id"])

    @app.action(ids.A_PAUSE)
    def on_pause(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_view(client, body["trigger_id"], pause_modal())

    @app.action(ids.A_LEAVE)
    def on_leave(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        open_view(client, body["trigger_id"], leave_modal())

    @app.action(ids.A_RESUME)
    def on_resume(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        answer = program.resume(services, user_id=user_id)
        if answer:
            client.chat_postMessage(channel=user_id, text=answer)
        program.refresh_home(services, client, user_id)

    @app.action(ids.A_LEAVE_KEEP)
    @app.action(ids.A_LEAVE_DELETE)
    def on_leave_confirmed(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        delete = action["action_id"] == ids.A_LEAVE_DELETE
        if program.leave(services, client, user_id=user_id, delete_data=delete):
            respond(text=left_text(deleted=delete), replace_original=True)
            program.refresh_home(services, client, user_id)
        else:
            respond(text="You're not in the program any more, so there was nothing to do.", replace_original=True)

    @app.action(ids.A_LEAVE_CANCEL)
    def on_leave_cancelled(ack: Ack, respond: Respond) -> None:
        ack()
        respond(text="Glad you're staying! Nothing has changed.", replace_original=True)
