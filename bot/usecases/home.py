"""Drawing someone's Home tab: like delivery, a use case that talks to Slack (`views.publish`) itself, because a
Home tab is a view Slack keeps, not a message to queue."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.blocks.home import home_view
from bot.usecases import membership
from bot.usecases.services import Services

log = logging.getLogger(__name__)


def publish_home(services: Services, client: WebClient, user_id: str) -> None:
    data = membership.home_data(services, user_id)
    view = home_view(
        status=data.snapshot.status,
        profile=data.snapshot.profile,
        catalogue=services.catalogue,
        paused_until=data.snapshot.paused_until,
        pairs=data.pairs,
        lead_summary=data.lead_summary,
    )
    client.views_publish(user_id=user_id, view=view)


def refresh_home(services: Services, client: WebClient, user_id: str) -> None:
    """Keep the Home tab in step after a change; a failure here must not undo the change itself."""
    try:
        publish_home(services, client, user_id)
    except SlackApiError:
        log.exception("could not refresh the Home tab of %s", user_id)
