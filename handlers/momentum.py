"""Listeners for keeping pairs moving: check-ins, the leads' buttons on a stalled pair, rematch requests."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import ids
from bot.usecases import checkins
from bot.usecases.services import Services
from handlers.modals import open_view
from handlers.replies import lead_or_refuse, say


def register(app: App, services: Services) -> None:
    @app.action(ids.A_CHECKIN_OPEN)
    def on_checkin_open(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        modal = checkins.checkin_modal_for(services, user_id=body["user"]["id"], prompt_id=int(action["value"]))
        if isinstance(modal, str):
            say(respond, modal)
        else:
            open_view(client, body["trigger_id"], modal)

    @app.view(ids.CHECKIN_VIEW)
    def on_checkin(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient) -> None:
        answers = checkins.read_checkin(view["state"]["values"])
        errors = checkins.validate_checkin(answers)
        if errors:
            ack(response_action="errors", errors=errors)
            return
        ack()
        prompt_id = int(view.get("private_metadata") or 0)
        checkins.submit_checkin(services, client, user_id=body["user"]["id"], prompt_id=prompt_id, answers=answers)

    def lead(body: dict[str, Any], respond: Respond) -> bool:
        return lead_or_refuse(services.settings, body, respond) is not None

    @app.action(ids.A_LEAD_NUDGE)
    def on_lead_nudge(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        if not lead(body, respond):
            return
        alert_ts = (body.get("message") or {}).get("ts", "")
        done = checkins.lead_nudge(services, client, pairing_id=int(action["value"]), alert_ts=alert_ts)
        say(respond, "Nudged them again." if done else "That pair has already ended.")

    @app.action(ids.A_LEAD_REMATCH)
    def on_lead_rematch(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        if not lead(body, respond):
            return
        alert_ts = (body.get("message") or {}).get("ts", "")
        done = checkins.offer_rematch(services, client, pairing_id=int(action["value"]), alert_ts=alert_ts)
        say(respond, "Both have been offered a new match, privately." if done else "That pair has already ended.")

    @app.action(ids.A_LEAD_SNOOZE)
    def on_lead_snooze(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        if not lead(body, respond):
            return
        until = checkins.snooze(services, pairing_id=int(action["value"]))
        say(
            respond,
            f"Snoozed: no more reminders about this pair until {until}." if until else "That pair has already ended.",
        )

    @app.action(ids.A_REMATCH_ME)
    def on_rematch_me(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond
    ) -> None:
        ack()
        done = checkins.rematch_me(services, client, user_id=body["user"]["id"], pairing_id=int(action["value"]))
        say(
            respond,
            "Done: your pairing has ended kindly and you'll be in the next matching round."
            if done
            else "That pairing has already ended; you'll be in the next matching round.",
        )
