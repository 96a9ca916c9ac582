"""The leads' Home tab: turning pages, filtering the pairs, acting on one, and the export button.

Home tab clicks have no response_url: the answer is the Home tab itself, published again with a line saying
what happened. Someone who is not (or no longer) a lead gets their own Home tab back, without the leads' part,
and nothing is done.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from slack_bolt import Ack, App
from slack_sdk import WebClient

from bot.blocks import ids, replies
from bot.blocks import leads as lead_copy
from bot.usecases import checkins, leads, pairs
from bot.usecases.errors import UseCaseError
from bot.usecases.home import publish_home, refresh_home
from bot.usecases.services import Services
from handlers.common import deliver_now


def register(app: App) -> None:
    app.action(re.compile(f"^{ids.A_LEADS_PAGE}"))(on_page)
    app.action(re.compile(f"^{ids.A_LEADS_FILTER}"))(on_page)
    app.action(ids.A_LEADS_EXPORT)(on_export)
    app.action(ids.A_LEADS_NUDGE)(on_nudge)
    app.action(ids.A_LEADS_REMATCH)(on_rematch)
    app.action(ids.A_LEADS_SNOOZE)(on_snooze)
    app.action(ids.A_LEADS_END)(on_end)


def _user(body: dict[str, Any]) -> str:
    return str((body.get("user") or {}).get("id") or "")


def _refused(services: Services, client: WebClient, user_id: str) -> bool:
    """True (and their Home redrawn without the leads' part) for anyone who is not a lead."""
    if services.settings.is_lead(user_id):
        return False
    refresh_home(services, client, user_id)
    return True


def on_page(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services) -> None:
    ack()  # only reads
    user_id = _user(body)
    if _refused(services, client, user_id):
        return
    publish_home(services, client, user_id, where=lead_copy.parse_where(action.get("value")))


def on_export(ack: Ack, body: dict[str, Any], client: WebClient, services: Services) -> None:
    ack()
    user_id = _user(body)
    if _refused(services, client, user_id):
        return
    where = lead_copy.parse_where((body.get("view") or {}).get("private_metadata"))
    publish_home(services, client, user_id, where=where, notice=lead_copy.export_started())
    exported = leads.export(services, client, lead_id=user_id)
    notice = (
        lead_copy.export_failed(exported.error)
        if exported.error
        else lead_copy.export_sent(exported.pairs, exported.sessions)
    )
    publish_home(services, client, user_id, where=where, notice=notice)


def _pair_action(act: Callable[[Services, int, str], tuple[list[str], str]]) -> Callable[..., None]:
    """A lead's button on one pair: store, acknowledge, send what was queued, show the same page again."""

    def listener(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, services: Services) -> None:
        user_id = _user(body)
        if not services.settings.is_lead(user_id):
            ack()
            refresh_home(services, client, user_id)
            return
        pairing_id, where = lead_copy.parse_pair_value(action.get("value"))
        if pairing_id is None:
            ack()
            notice = lead_copy.STALE_HOME_BUTTON
            queued: list[str] = []
        else:
            try:
                queued, notice = act(services, pairing_id, user_id)
            except UseCaseError as error:
                queued, notice = [], replies.error_text(error)
            ack()
        deliver_now(services, client, queued)
        publish_home(services, client, user_id, where=lead_copy.parse_where(where), notice=notice)

    listener.__name__ = f"on_{act.__name__.strip('_')}"
    return listener


def _nudge(services: Services, pairing_id: int, lead_id: str) -> tuple[list[str], str]:
    queued = checkins.lead_nudge(services, pairing_id=pairing_id, alert_ts="")
    return queued, replies.nudged() if queued else lead_copy.ALREADY_NUDGED


def _rematch(services: Services, pairing_id: int, lead_id: str) -> tuple[list[str], str]:
    return checkins.offer_rematch(services, pairing_id=pairing_id, alert_ts=""), replies.rematch_offered()


def _snooze(services: Services, pairing_id: int, lead_id: str) -> tuple[list[str], str]:
    return [], replies.snoozed(checkins.snooze(services, pairing_id=pairing_id))


def _end(services: Services, pairing_id: int, lead_id: str) -> tuple[list[str], str]:
    ended = pairs.end_pair(services, pairing_id=pairing_id, by=lead_id)
    return list(ended.keys), replies.pair_ended([lead_copy.escape(p.name) for p in ended.people.values()])


on_nudge = _pair_action(_nudge)
on_rematch = _pair_action(_rematch)
on_snooze = _pair_action(_snooze)
on_end = _pair_action(_end)
