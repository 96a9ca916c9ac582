"""Opening modals from a trigger, shared by the slash command and Home tab buttons."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View

from bot.blocks.signup import signup_modal
from bot.domain.people import Status
from bot.usecases import membership as program
from bot.usecases.services import Services

log = logging.getLogger(__name__)


def open_view(client: WebClient, trigger_id: str, view: View) -> bool:
    """Open a modal; False when Slack refused (usually a trigger that expired after 3 seconds)."""
    try:
        client.views_open(trigger_id=trigger_id, view=view)
    except SlackApiError:
        log.exception("views.open failed")
        return False
    return True


def open_signup(services: Services, client: WebClient, *, user_id: str, trigger_id: str) -> bool:
    snap = program.snapshot(services, user_id)
    # People who left and come back see their old answers: rejoining should take seconds.
    profile = snap.profile if snap.status is not Status.NOT_JOINED else None
    return open_view(client, trigger_id, signup_modal(services.catalogue, profile))


TRY_AGAIN = "Sorry, Slack took too long to open the form. Please try again."
