"""Program cycles: the lead's buttons on `/mentoring cycle` (plan, extend, end early, call off) and its modals.

Everything here is for leads only: buttons through `lead_only`, and the modals check again on submission (a
submission is a request like any other, and could be forged).
"""

from __future__ import annotations

import json
from typing import Any

from slack_bolt import Ack, App, Respond
from slack_sdk import WebClient

from bot.blocks import cycles as views
from bot.blocks import ids, replies
from bot.domain.inputs import whole_number
from bot.usecases import cycles
from bot.usecases.errors import CycleClosed, CycleRefused
from bot.usecases.home import refresh_home
from bot.usecases.services import Services
from handlers.common import MAX_ID, action_id_value, answers_errors, deliver_now, lead_only, say
from handlers.membership import open_view

# Where each field's problem shows in the modals.
FIELD_BLOCKS = {
    "name": ids.B_CYCLE_NAME,
    "start": ids.B_CYCLE_START,
    "length": ids.B_CYCLE_LENGTH,
    "end": ids.B_CYCLE_END,
}


def register(app: App) -> None:
    leads = [lead_only]
    app.action(ids.A_CYCLE_PLAN, middleware=leads)(on_plan)
    app.action(ids.A_CYCLE_EXTEND, middleware=leads)(on_extend)
    app.action(ids.A_CYCLE_END_EARLY, middleware=leads)(on_end)
    app.action(ids.A_CYCLE_END_NOW, middleware=leads)(on_end)
    app.action(ids.A_CYCLE_CALL_OFF, middleware=leads)(on_end)
    app.view(ids.CYCLE_VIEW)(on_cycle_submitted)
    app.view(ids.CYCLE_EXTEND_VIEW)(on_extend_submitted)


def open_cycle_form(services: Services, client: WebClient, trigger_id: str, *, planning: bool = False) -> bool:
    """The new-cycle modal: to start one now, or (`planning`) to plan the one after the last open cycle."""
    view = cycles.overview(services)
    last = view.lines[-1] if planning and view.lines else None
    return open_view(
        client, trigger_id, views.cycle_modal(today=view.today, planning_after=last.span if last else None)
    )


@answers_errors
def on_plan(ack: Ack, body: dict[str, Any], client: WebClient, respond: Respond, services: Services) -> None:
    ack()
    if not open_cycle_form(services, client, body["trigger_id"], planning=True):
        say(respond, replies.TRY_AGAIN)


@answers_errors
def on_extend(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    cycle_id = action_id_value(action)
    view = cycles.overview(services)
    line = next((c for c in view.lines if c.span.id == cycle_id), None)
    ack()
    if line is None:
        say(respond, views.CYCLE_GONE)
        return
    if not open_view(client, body["trigger_id"], views.extend_modal(cycle=line.span)):
        say(respond, replies.TRY_AGAIN)


@answers_errors
def on_end(
    ack: Ack, body: dict[str, Any], action: dict[str, Any], client: WebClient, respond: Respond, services: Services
) -> None:
    skip = action["action_id"] == ids.A_CYCLE_END_NOW
    cycle_id = action_id_value(action)
    # Acknowledged first: sending the close-outs, or settling every pair at once, can take longer than Slack waits.
    ack()
    try:
        ended = cycles.end_early(
            services, cycle_id=cycle_id, skip_survey=skip, call_off=action["action_id"] == ids.A_CYCLE_CALL_OFF
        )
    except CycleClosed:
        say(respond, views.CYCLE_GONE)
        return
    deliver_now(services, client, ended.keys)
    say(respond, views.ended_early_text(ended))
    refresh_home(services, client, body["user"]["id"])


def _refused(ack: Ack, refused: CycleRefused, fallback: str) -> None:
    errors = {FIELD_BLOCKS.get(k, fallback): views.refusal_text(r) for k, r in refused.errors.items()}
    ack(response_action="errors", errors=errors)


def on_cycle_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    user_id = body["user"]["id"]
    if not services.settings.is_lead(user_id):
        ack(response_action="errors", errors={ids.B_CYCLE_NAME: replies.NOT_A_LEAD})
        return
    answers = views.read_cycle(view["state"]["values"])
    if answers.starts_on is None:
        ack(response_action="errors", errors={ids.B_CYCLE_START: views.NO_START})
        return
    try:
        cycle = cycles.start_cycle(
            services, lead_id=user_id, name=answers.name, starts_on=answers.starts_on, months=answers.months
        )
    except CycleRefused as refused:
        _refused(ack, refused, ids.B_CYCLE_START)
        return
    today = cycles.program_today(services)
    title = "Cycle planned" if cycle.starts_on > today else "Cycle started"
    ack(response_action="update", view=views.done_modal(title, views.started_text(cycle, today=today)))
    refresh_home(services, client, user_id)


def on_extend_submitted(
    ack: Ack, body: dict[str, Any], view: dict[str, Any], client: WebClient, services: Services
) -> None:
    user_id = body["user"]["id"]
    if not services.settings.is_lead(user_id):
        ack(response_action="errors", errors={ids.B_CYCLE_END: replies.NOT_A_LEAD})
        return
    cycle_id = _cycle_id(view)
    ends_on = views.read_new_end(view["state"]["values"])
    if cycle_id is None:
        ack(response_action="errors", errors={ids.B_CYCLE_END: replies.STALE_BUTTON})
        return
    if ends_on is None:
        ack(response_action="errors", errors={ids.B_CYCLE_END: views.NO_END})
        return
    try:
        cycle = cycles.extend(services, cycle_id=cycle_id, ends_on=ends_on)
    except CycleRefused as refused:
        _refused(ack, refused, ids.B_CYCLE_END)
        return
    except CycleClosed:
        ack(response_action="errors", errors={ids.B_CYCLE_END: views.CYCLE_GONE})
        return
    ack(response_action="update", view=views.done_modal("Cycle extended", views.extended_text(cycle)))
    refresh_home(services, client, user_id)


def _cycle_id(view: dict[str, Any]) -> int | None:
    try:
        metadata = json.loads(view.get("private_metadata") or "{}")
    except ValueError:
        return None
    return whole_number(metadata.get("cycle") if isinstance(metadata, dict) else None, low=1, high=MAX_ID)
