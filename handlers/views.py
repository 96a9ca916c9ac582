"""Modal submissions: sign-up, pause, leave."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks.messages import left_text
from bot.blocks.signup import errors_for_blocks, read_signup
from bot.domain.people import validate_signup
from bot.usecases import membership as program
from bot.usecases.services import Services


def register(app: App, services: Services) -> None:
    @app.view(ids.SIGNUP_VIEW)
    def on_signup(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        form = read_signup(view["state"]["values"])
        errors = validate_signup(form, user_id=user_id, catalogue=services.catalogue)
        if errors:
            ack(response_action="errors", errors=errors_for_blocks(errors))
            return
        ack()
        program.complete_signup(
            services,
            client,
            user_id=user_id,
            team_id=(body.get("team") or {}).get("id", ""),
            form=form,
            submission_key=view["id"],
        )

    @app.view(ids.PAUSE_VIEW)
    def on_pause(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        user_id = body["user"]["id"]
        chosen = view["state"]["values"][ids.B_PAUSE_WEEKS][ids.A_VALUE].get("selected_option") or {}
        weeks = str(chosen.get("value", ""))
        if not weeks.isdigit():
            ack(response_action="errors", errors={ids.B_PAUSE_WEEKS: "Choose how long to pause for."})
            return
        ack()
        answer = program.pause(services, user_id=user_id, weeks=int(weeks))
        if answer:
            client.chat_postMessage(channel=user_id, text=answer)
        program.refresh_home(services, client, user_id)

    @app.view(ids.LEAVE_VIEW)
    def on_leave(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        ack()
        user_id = body["user"]["id"]
        chosen = view["state"]["values"][ids.B_LEAVE_DELETE][ids.A_VALUE].get("selected_options") or []
        delete = any(option.get("value") == "delete" for option in chosen)
        if program.leave(services, client, user_id=user_id, delete_data=delete):
            client.chat_postMessage(channel=user_id, text=left_text(deleted=delete))
        program.refresh_home(services, client, user_id)
