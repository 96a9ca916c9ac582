"""Listeners for matching: the lead's preview buttons, the pairs list, and the buttons in introductions."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import ids
from bot.blocks import matching as views
from bot.usecases import rounds
from bot.usecases.services import Services
from handlers import replies
from handlers.replies import say
from storage.db import session_scope
from storage.pairings import active_pairings, participants_by_id

log = logging.getLogger(__name__)


def register(app: App, services: Services) -> None:
    def lead_or_refuse(body: dict[str, Any], respond: Respond) -> str | None:
        return replies.lead_or_refuse(services.settings, body, respond)

    @app.action(ids.A_MATCH_DROP)
    def on_drop(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        if lead_or_refuse(body, respond) is None:
            return
        view = rounds.drop(services, pairing_id=int(action["value"]))
        if view is None:
            say(respond, "That proposal has already been decided; run `/mentoring match` for a new one.")
            return
        rounds.show_preview(services, client, view)

    @app.action(ids.A_MATCH_RERUN)
    def on_rerun(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        lead_id = lead_or_refuse(body, respond)
        if lead_id is None:
            return
        proposed = rounds.rerun(services, round_id=int(action["value"]), lead_id=lead_id)
        if proposed is None:
            say(respond, "That proposal has already been decided.")
            return
        for old in proposed.replaced:
            rounds.show_preview(services, client, old)
        rounds.show_preview(services, client, proposed.view)

    @app.action(ids.A_MATCH_DISCARD)
    def on_discard(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        lead_id = lead_or_refuse(body, respond)
        if lead_id is None:
            return
        round_id = int(action["value"])
        rounds.discard(services, round_id=round_id, lead_id=lead_id)
        view = rounds.load_round(services, round_id)
        if view is not None:
            rounds.show_preview(services, client, view)

    @app.action(ids.A_MATCH_APPROVE)
    def on_approve(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        lead_id = lead_or_refuse(body, respond)
        if lead_id is None:
            return
        approval = rounds.approve(services, round_id=int(action["value"]), lead_id=lead_id)
        if not approval.approved_now:
            # A double click or a retry: the first approval already updated the preview; say nothing new, but
            # send whatever of the round is still unsent (a first attempt that Slack's errors cut short).
            if approval.view.round.status != "approved":
                say(respond, "That proposal was discarded or replaced; run `/mentoring match` for a new one.")
            rounds.send_round(services, client, approval.view)
            return
        # The preview says "approved" at once; a large round's introductions take a while at Slack's pace.
        rounds.show_preview(services, client, approval.view)
        report = rounds.send_round(services, client, approval.view)
        rounds.show_preview(services, client, approval.view, sent=report.sent)
        if approval.withdrawn:
            say(
                respond,
                "Not introduced, because things changed since the proposal: "
                + "; ".join(approval.withdrawn)
                + ". Whoever that leaves without a match is told and waits for the next round.",
            )
        if report.failed:
            reasons = ", ".join(sorted(set(report.errors)))
            say(
                respond,
                f"{report.failed} messages could not be sent yet ({reasons}). "
                "Turnabout keeps them and retries automatically.",
            )

    @app.action(ids.A_PAIR_END)
    def on_end(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        lead_id = lead_or_refuse(body, respond)
        if lead_id is None:
            return
        ended = rounds.end_pair(services, client, pairing_id=int(action["value"]), lead_id=lead_id)
        if ended is None:
            say(respond, "That pair had already ended.")
            return
        names = " and ".join(p.name for p in ended.people.values())
        say(respond, f"Ended the pair of {names}. Both have been told kindly.")

    @app.action(ids.A_LOG_SESSION)
    def on_log(ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        ack()
        text = rounds.log_session_today(services, user_id=body["user"]["id"], anchor_id=int(action["value"]))
        say(respond, text)

    @app.action(ids.A_SET_NEXT_SESSION)
    def on_next(ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond) -> None:
        ack()
        anchor = str(action.get("block_id", "")).removeprefix("pair:")
        done, text = rounds.set_next(
            services,
            user_id=body["user"]["id"],
            anchor_id=int(anchor) if anchor.isdigit() else 0,
            chosen=action.get("selected_date"),
        )
        if done:
            client.chat_postMessage(channel=body["channel"]["id"], text=text)
        else:
            say(respond, text)

    @app.action(ids.A_NOT_WORKING)
    def on_not_working(
        ack: Ack, body: dict[str, Any], action: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        user_id = body["user"]["id"]
        group = rounds.group_for(services, pairing_id=int(action["value"]), user_id=user_id)
        if not group:
            say(respond, "This match has already ended.")
            return
        rounds.report_not_working(services, client, group=group, reporter=user_id)
        say(
            respond,
            "Thank you for saying so. Only the program leads have been told; one of them will reach out to "
            "you privately. Nobody else knows.",
        )


def pairs_list_for(services: Services) -> tuple[str, list[dict[str, Any]]]:
    with session_scope(services.engine) as session:
        pairings = active_pairings(session=session)
        people = participants_by_id(
            session=session, user_ids=[p.mentor_id for p in pairings] + [p.mentee_id for p in pairings]
        )
    return views.pairs_list(pairings=pairings, people=people)
