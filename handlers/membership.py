"""Joining, pausing, resuming and leaving: the Home tab's buttons, the three modals, and the Events API."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot.blocks import ids, replies, signup
from bot.blocks.messages import leave_modal, left_text, pause_modal
from bot.blocks.signup import errors_for_blocks, read_signup
from bot.domain.people import Status, current_status, parse_pause_weeks, validate_signup
from bot.usecases import membership
from bot.usecases.errors import NotJoined
from bot.usecases.home import publish_home, refresh_home
from bot.usecases.services import Services
from handlers.common import deliver_now
from storage.participants import SlackIdentity, read_profile

log = logging.getLogger(__name__)


def register(app: App) -> None:
    app.action(ids.A_JOIN)(on_join)
    app.action(ids.A_EDIT)(on_join)
    app.action(ids.A_PAUSE)(on_pause_button)
    app.action(ids.A_LEAVE)(on_leave_button)
    app.action(ids.A_RESUME)(on_resume_button)
    app.action(ids.A_LEAVE_KEEP)(on_leave_confirmed)
    app.action(ids.A_LEAVE_DELETE)(on_leave_confirmed)
    app.action(ids.A_LEAVE_CANCEL)(on_leave_cancelled)
    app.view(ids.SIGNUP_VIEW)(on_signup)
    app.view(ids.PAUSE_VIEW)(on_pause_submitted)
    app.view(ids.LEAVE_VIEW)(on_leave_submitted)
    app.event("app_home_opened")(on_home_opened)
    app.event("user_change")(on_user_change)


# Home tab and ephemeral buttons.


def on_join(ack: Ack, body: dict[str, Any], client: WebClient, services: Services) -> None:
    modal = signup_view(services, body["user"]["id"])
    ack()
    open_view(client, body["trigger_id"], modal)


def on_pause_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    open_view(client, body["trigger_id"], pause_modal())


def on_leave_button(ack: Ack, body: dict[str, Any], client: WebClient) -> None:
    ack()
    open_view(client, body["trigger_id"], leave_modal())


def on_resume_button(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services
) -> None:
    user_id = body["user"]["id"]
    try:
        queued = membership.resume(services, user_id=user_id, confirm_in_dm=body["trigger_id"]).keys
    except NotJoined:
        queued = []
    ack()
    deliver_now(services, client, queued)
    refresh_home(services, client, user_id)


def on_leave_confirmed(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    user_id = body["user"]["id"]
    delete = action["action_id"] == ids.A_LEAVE_DELETE
    try:
        left = membership.leave(services, user_id=user_id, delete_data=delete)
    except NotJoined:
        ack()
        respond(text=replies.left_already(), replace_original=True)
        return
    ack()
    respond(text=left_text(deleted=delete, keep_days=services.settings.turnabout_retention_days), replace_original=True)
    deliver_now(services, client, left.keys)
    refresh_home(services, client, user_id)


def on_leave_cancelled(ack: Ack, respond: Respond) -> None:
    ack()
    respond(text=replies.staying(), replace_original=True)


# Modals.


def on_signup(ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services) -> None:
    user_id = body["user"]["id"]
    form = read_signup(view["state"]["values"])
    errors = validate_signup(form, user_id=user_id, catalogue=services.catalogue)
    if errors:
        ack(response_action="errors", errors=errors_for_blocks(errors))
        return
    try:
        identity = fetch_identity(client, user_id=user_id, team_id=(body.get("team") or {}).get("id", ""))
    except SlackApiError as error:
        log.warning("users.info failed during sign-up: %s", error.response.get("error"))
        ack(response_action="errors", errors=errors_for_blocks({"role": replies.SLACK_SLOW}))
        return
    # Stored before the modal closes: if the database is down, `handlers.common.on_error` keeps it open with
    # an inline error and the person's answers are still there to submit again.
    joined = membership.complete_signup(services, identity=identity, form=form, submission_id=view["id"])
    ack()
    deliver_now(services, client, joined.keys)
    refresh_home(services, client, user_id)


def on_pause_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    user_id = body["user"]["id"]
    chosen = view["state"]["values"][ids.B_PAUSE_WEEKS][ids.A_VALUE].get("selected_option") or {}
    weeks = parse_pause_weeks(str(chosen.get("value", "")))
    if weeks is None or not chosen:
        ack(response_action="errors", errors={ids.B_PAUSE_WEEKS: "Choose how long to pause for."})
        return
    try:
        queued = membership.pause(services, user_id=user_id, weeks=weeks, confirm_in_dm=view["id"]).keys
    except NotJoined:
        queued = []
    ack()
    deliver_now(services, client, queued)
    refresh_home(services, client, user_id)


def on_leave_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    user_id = body["user"]["id"]
    chosen = view["state"]["values"][ids.B_LEAVE_DELETE][ids.A_VALUE].get("selected_options") or []
    delete = any(option.get("value") == "delete" for option in chosen)
    try:
        queued = membership.leave(services, user_id=user_id, delete_data=delete, confirm_in_dm=view["id"]).keys
    except NotJoined:
        queued = []
    ack()
    deliver_now(services, client, queued)
    refresh_home(services, client, user_id)


# Events.


def on_home_opened(event: dict[str, Any], client: WebClient, services: Services) -> None:
    # The same event fires for the Messages tab; only the Home tab has something to draw.
    if event.get("tab", "home") != "home":
        return
    publish_home(services, client, event["user"])


def on_user_change(event: dict[str, Any], client: WebClient, services: Services) -> None:
    # Fires for every profile edit in the workspace; for people outside the program it is one lookup.
    _, queued = membership.user_changed(services, event.get("user") or {})
    deliver_now(services, client, queued)


# Shared with the slash command.


def open_view(client: WebClient, trigger_id: str, view: View | dict[str, Any]) -> bool:
    """Open a modal; False when Slack refused (usually a trigger that expired after 3 seconds)."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError:
        log.exception("views.open failed")
        return False
    return True


def signup_view(services: Services, user_id: str) -> dict[str, Any]:
    """The sign-up modal, filled in with what this person answered before.

    Slack gives 3 seconds to open it and the person is waiting, so this is the one indexed lookup and the cached
    modal with their answers put in (`bot.blocks.signup.signup_view`).
    """
    profile = read_profile(engine=services.engine, user_id=user_id)
    # People who left and come back see their old answers: rejoining should take seconds.
    known = current_status(profile, services.clock()) is not Status.NOT_JOINED
    return signup.signup_view(services.catalogue, profile if known else None)


def fetch_identity(client: WebClient, *, user_id: str, team_id: str) -> SlackIdentity:
    """Name, title and time zone from `users.info`; we never ask people for what Slack already knows."""
    return membership.identity_from(client.users_info(user=user_id)["user"], team_id=team_id)
