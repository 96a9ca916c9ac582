"""The leads' buttons on a round's preview and on the pairs list: drop, rerun, discard, approve, end a pair.

Every listener here is for leads only (`lead_only`), and a refusal from a use case (a round already decided,
a pair already ended) is answered by `answers_errors` in its own words.
"""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import ids, replies
from bot.domain.rounds import RoundStatus
from bot.usecases import pairs, rounds
from bot.usecases.delivery import deliver
from bot.usecases.services import Services
from handlers.common import action_id_value, answers_errors, deliver_now, lead_only, say


def register(app: App) -> None:
    leads = [lead_only]
    app.action(ids.A_MATCH_DROP, middleware=leads)(on_drop)
    app.action(ids.A_MATCH_RERUN, middleware=leads)(on_rerun)
    app.action(ids.A_MATCH_DISCARD, middleware=leads)(on_discard)
    app.action(ids.A_MATCH_APPROVE, middleware=leads)(on_approve)
    app.action(ids.A_PAIR_END, middleware=leads)(on_end)


def show(services: Services, client: WebClient, *views: rounds.RoundView, sent: int | None = None) -> None:
    """Post or update these rounds' previews, now."""
    deliver_now(services, client, [rounds.show_preview(services, view, sent=sent) for view in views])


@answers_errors
def on_drop(ack: Ack, action: dict[str, Any], client: WebClient, respond: Respond, services: Services) -> None:
    view = rounds.drop(services, pairing_id=action_id_value(action))
    ack()
    show(services, client, view)


@answers_errors
def on_rerun(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    ack()  # matching again can take longer than Slack waits; a failure to store it is answered privately
    proposed = rounds.rerun(services, round_id=action_id_value(action), lead_id=body["user"]["id"])
    show(services, client, *proposed.replaced, proposed.view)


@answers_errors
def on_discard(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    view = rounds.discard(services, round_id=action_id_value(action), lead_id=body["user"]["id"])
    ack()
    if view is not None:
        show(services, client, view)


@answers_errors
def on_approve(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    approval = rounds.approve(services, round_id=action_id_value(action), lead_id=body["user"]["id"])
    ack()
    if not approval.approved_now:
        # A double click or a retry: the first approval already updated the preview; say nothing new, but
        # send whatever of the round is still unsent (a first attempt that Slack's errors cut short).
        if approval.view.round.status != RoundStatus.APPROVED:
            say(respond, replies.round_gone())
            return
        deliver(services, client)
        return
    # The preview says "approved" at once and how far the round has gone, as it goes: a large round's
    # introductions take minutes at Slack's pace.
    report = rounds.send_round(services, client, approval)
    if approval.withdrawn:
        say(respond, replies.withdrawn(approval.withdrawn))
    if report.failed:
        say(respond, replies.not_sent_yet(report.failed, report.errors))


@answers_errors
def on_end(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    ended = pairs.end_pair(services, pairing_id=action_id_value(action), by=body["user"]["id"])
    ack()
    deliver_now(services, client, ended.keys)
    say(respond, replies.pair_ended([p.name for p in ended.people.values()]))
