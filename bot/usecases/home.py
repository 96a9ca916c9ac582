"""Drawing someone's Home tab: like delivery, a use case that talks to Slack (`views.publish`) itself, because a
Home tab is a view Slack keeps, not a message to queue."""

from __future__ import annotations

import logging

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.models.blocks import ContextBlock, MarkdownTextObject

from bot.blocks import leads as lead_blocks
from bot.blocks.cycles import lead_cycle_line
from bot.blocks.home import home_view
from bot.usecases import cycles, leads, membership, surveys
from bot.usecases.services import Services
from storage.leads import PairFilter

log = logging.getLogger(__name__)


def publish_home(
    services: Services,
    client: WebClient,
    user_id: str,
    *,
    where: tuple[str, int] | None = None,
    notice: str | None = None,
) -> None:
    """Publish `user_id`'s Home tab. A lead's starts with the program: `where` is the pair list's filter and page
    (the pairs needing attention, first page, unless they turned elsewhere); `notice` answers what they just did."""
    data = membership.home_data(services, user_id)
    lead_part: list[dict[str, object]] = []
    metadata = ""
    if services.settings.is_lead(user_id):
        name, page = where or ("attention", 1)
        view = leads.lead_view(services, client, pair_filter=PairFilter(name), page=page)
        lead_part = lead_blocks.lead_home_blocks(
            overview=view.overview,
            measures=view.measures,
            pairs=view.pairs,
            charts=view.charts,
            notice=notice,
            cycle_line=lead_cycle_line(cycles.overview(services)),
        )
        # Where the lead is, so acting on a pair shows the same page again.
        metadata = f"{view.pairs.pair_filter}:{view.pairs.page}"
    home = home_view(
        status=data.snapshot.status,
        profile=data.snapshot.profile,
        catalogue=services.catalogue,
        paused_until=data.snapshot.paused_until,
        pairs=data.pairs,
        lead_summary=lead_part,
        confidence=surveys.my_confidence(services, user_id),
        signup_confidence=data.confidence,
        rate_confidence=data.rate_confidence,
        record=data.record,
    )
    home.private_metadata = metadata or None
    try:
        client.views_publish(user_id=user_id, view=home)
    except SlackApiError as error:
        if not lead_part or not _refused_a_chart(error):
            raise
        # Slack would not show an uploaded chart (a file deleted by retention, or not yet processed): the lead
        # still gets their Home, without pictures this once, and the next view uploads them afresh.
        log.warning("Slack refused a chart on %s's Home tab; publishing it without charts", user_id)
        leads.forget_charts(services)
        home.blocks = [b for b in home.blocks if _block_type(b) != "image"]
        home.blocks.insert(1, ContextBlock(elements=[MarkdownTextObject(text=CHARTS_REFUSED)]))
        client.views_publish(user_id=user_id, view=home)


CHARTS_REFUSED = (
    ":warning: Slack would not show the charts just now; they are drawn afresh next time. The figures stand."
)


def _refused_a_chart(error: SlackApiError) -> bool:
    text = (
        str(error.response.get("error", ""))
        + " "
        + " ".join(str(m) for m in (error.response.get("response_metadata") or {}).get("messages", []))
    )
    return "invalid" in text and ("slack_file" in text or "slack file" in text or "image" in text)


def _block_type(block: object) -> str | None:
    if isinstance(block, dict):
        return str(block.get("type"))
    return getattr(block, "type", None)


def refresh_home(services: Services, client: WebClient, user_id: str) -> None:
    """Keep the Home tab in step after a change; a failure here must not undo the change itself."""
    try:
        publish_home(services, client, user_id)
    except SlackApiError:
        log.exception("could not refresh the Home tab of %s", user_id)
