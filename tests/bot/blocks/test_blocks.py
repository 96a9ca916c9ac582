"""Block Kit builders: what people read and which ids they click, checked without Slack."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from bot.blocks import ids
from bot.blocks.home import home_view
from bot.blocks.messages import help_blocks, leave_prompt_blocks, pause_modal, welcome_dm
from bot.blocks.signup import errors_for_blocks, read_signup, signup_modal
from bot.domain.catalogue import load_catalogue
from bot.domain.people import Cadence, Role, Seniority, Status
from handlers.commands import help_lines
from storage.models import Participant

CATALOGUE = load_catalogue()
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def profile(**changes: Any) -> Participant:
    values: dict[str, Any] = dict(
        slack_user_id="U0PRIYA",
        name="Priya Nair",
        is_mentor=True,
        is_mentee=True,
        teach_topics=["genai"],
        learn_topics=["leadership"],
        seniority="early_career",
        department="Data",
        cadence="weekly",
        capacity=2,
        goals="Help leaders use AI",
        sponsor_id="U0OLIVER",
        manager_id="U0MGR",
        do_not_match=["U0X"],
        tz="Asia/Kolkata",
        consented_at=NOW,
        joined_at=NOW,
        updated_at=NOW,
    )
    values.update(changes)
    return Participant(**values)


def text_of(blocks: list[Any]) -> str:
    return repr([b.to_dict() for b in blocks])


def test_blank_signup_modal_has_every_question() -> None:
    view = signup_modal(CATALOGUE).to_dict()
    block_ids = [b.get("block_id") for b in view["blocks"] if b["type"] == "input"]
    assert block_ids == [
        ids.B_ROLE,
        ids.B_TEACH,
        ids.B_LEARN,
        ids.B_SENIORITY,
        ids.B_DEPARTMENT,
        ids.B_CADENCE,
        ids.B_CAPACITY,
        ids.B_GOALS,
        ids.B_MANAGER,
        ids.B_SPONSOR,
        ids.B_DO_NOT_MATCH,
        ids.B_CONSENT,
    ]
    assert view["callback_id"] == ids.SIGNUP_VIEW and view["submit"]["text"] == "Join"
    assert "Who sees" in repr(view) or "who sees" in repr(view)


def test_prefilled_modal_reads_back_to_the_same_answers() -> None:
    view = signup_modal(CATALOGUE, profile()).to_dict()
    # Build the state Slack would send for an untouched pre-filled modal.
    values: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block["type"] != "input":
            continue
        element = block["element"]
        state: dict[str, Any] = {"type": element["type"]}
        for key, target in (
            ("initial_option", "selected_option"),
            ("initial_options", "selected_options"),
            ("initial_user", "selected_user"),
            ("initial_users", "selected_users"),
            ("initial_value", "value"),
        ):
            if key in element:
                state[target] = element[key]
        values[block["block_id"]] = {ids.A_VALUE: state}
    values[ids.B_CONSENT][ids.A_VALUE]["selected_options"] = [{"value": "yes"}]
    form = read_signup(values)
    assert form.role is Role.BOTH
    assert form.teach == ("genai",) and form.learn == ("leadership",)
    assert (form.seniority, form.cadence, form.capacity) == (Seniority.EARLY_CAREER, Cadence.WEEKLY, 2)
    assert (form.manager_id, form.sponsor_id, form.do_not_match) == ("U0MGR", "U0OLIVER", ("U0X",))
    assert form.goals == "Help leaders use AI" and form.consent


def test_tampered_choices_become_field_errors() -> None:
    form = read_signup({ids.B_ROLE: {ids.A_VALUE: {"selected_option": {"value": "overlord"}}}})
    assert form.role is None and "role" in form.unknown


def test_errors_map_to_blocks() -> None:
    assert errors_for_blocks({"teach": "x", "consent": "y", "nonsense": "z"}) == {ids.B_TEACH: "x", ids.B_CONSENT: "y"}


def test_home_buttons_follow_status() -> None:
    def actions(view: dict[str, Any]) -> list[str]:
        return [e["action_id"] for b in view["blocks"] if b["type"] == "actions" for e in b["elements"]]

    not_joined = home_view(status=Status.NOT_JOINED, profile=None, catalogue=CATALOGUE).to_dict()
    assert actions(not_joined) == [ids.A_JOIN]
    active = home_view(status=Status.ACTIVE, profile=profile(), catalogue=CATALOGUE).to_dict()
    assert actions(active) == [ids.A_EDIT, ids.A_PAUSE, ids.A_LEAVE]
    until = datetime(2026, 12, 7, tzinfo=UTC)
    paused = home_view(status=Status.PAUSED, profile=profile(), catalogue=CATALOGUE, paused_until=until).to_dict()
    assert actions(paused) == [ids.A_RESUME, ids.A_EDIT, ids.A_LEAVE]
    assert "Monday 7 December 2026" in repr(paused)  # fallback date in Priya's time zone
    left = home_view(status=Status.LEFT, profile=profile(), catalogue=CATALOGUE).to_dict()
    assert actions(left) == [ids.A_JOIN]


def test_help_lists_every_subcommand_and_echoes_unknown_ones_safely() -> None:
    text = text_of(help_blocks(lines=help_lines(is_lead=False), unknown="dance `now`"))
    for sub in ("join", "edit", "status", "pause", "resume", "leave", "help"):
        assert f"/mentoring {sub}" in text
    assert "dance 'now'" in text


def test_welcome_dm_says_what_happens_next() -> None:
    text, blocks = welcome_dm(profile=profile(), catalogue=CATALOGUE, first_time=True)
    assert "Priya Nair" in text and "a mentor and a mentee" in text
    assert "What happens next" in text_of(blocks)
    updated, _ = welcome_dm(profile=profile(), catalogue=CATALOGUE, first_time=False)
    assert "updated" in updated


def test_leave_prompt_and_pause_modal_ids() -> None:
    prompt = text_of(leave_prompt_blocks(keep_days=30))
    assert {ids.A_LEAVE_KEEP, ids.A_LEAVE_DELETE, ids.A_LEAVE_CANCEL} <= set(prompt.split("'"))
    assert "keep your history for 30 days" in prompt
    assert pause_modal().to_dict()["callback_id"] == ids.PAUSE_VIEW


def test_a_preview_says_when_matching_ran_out_of_time_and_by_how_much_at_most() -> None:
    from bot.blocks.matching import preview
    from bot.domain.rounds import PairingStatus
    from storage.models import Pairing

    pair = Pairing(
        id=1, round_id=1, mentor_id="U0PRIYA", mentee_id="U0TOM", status=PairingStatus.PROPOSED, created_at=NOW
    )
    people = {"U0PRIYA": profile(), "U0TOM": profile(slack_user_id="U0TOM", name="Tom Becker")}
    common: dict[str, Any] = dict(round_id=1, status="draft", pairings=[pair], unmatched=[], people=people)
    assert ":stopwatch:" not in str(preview(**common, total_score=850.0)[1]), "a proven optimum says nothing"
    assert "at most 1.50% below the best possible" in str(preview(**common, total_score=985.0, score_gap=15.0)[1])
    assert "less than 0.01% below" in str(preview(**common, total_score=51_669.0, score_gap=0.17)[1])
