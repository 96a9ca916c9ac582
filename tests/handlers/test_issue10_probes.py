"""Issue 10 probed as an attacker and a careless user would: forged and replayed values, other people's ids,
mention-bearing words, double submissions, and private words looking for a way out."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.blocks import ids
from bot.domain.cycles import SurveyKind
from bot.sandbox.local import LocalBot
from bot.sandbox.roster import LEAD, LEADS_CHANNEL
from bot.usecases import surveys
from storage.db import session_scope
from storage.models import Cycle, Goal, Pairing, SurveyAnswer
from tests.handlers.test_surveys import (
    CLOSEOUT_PRIYA,
    CLOSEOUT_TOM,
    KUDOS,
    _bot,
    add_goal,
    answers,
    close,
    closed_out,
    in_cycle,
    last_dm_with,
    send,
)


@pytest.fixture
def bot(tmp_path: Path, transport: str) -> Iterator[LocalBot]:
    """The surveys' bot: Priya and Tom's pair, a celebration channel."""
    yield from _bot(tmp_path, transport, celebration=True)


INJECTION = "Thanks <!channel> <!here> <@U0AMARA> <https://evil.example|click me> & more"


def _rendered(bot: LocalBot) -> list[str]:
    """Everything the celebrations put in front of anyone: the shout-out, the manager's note, the mentor's thanks."""
    shout = [str(m) for m in bot.fake.messages(KUDOS.id)]
    note = [str(m) for m in bot.fake.user("U0SOFIA").dms]
    thanks = [str(m) for m in bot.fake.user("U0PRIYA").dms if "is complete" in str(m)]
    assert shout and note and thanks
    return [*shout, *note, *thanks]


def test_a_quoted_thank_you_cannot_ping_the_channel_or_hide_a_link(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    tom, priya = bot.fake.user("U0TOM"), bot.fake.user("U0PRIYA")
    tom.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0TOM", ids.A_CLOSEOUT_OPEN))
    tom.submit({**CLOSEOUT_TOM, ids.B_SURVEY_THANKS: INJECTION})
    priya.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0PRIYA", ids.A_CLOSEOUT_OPEN))
    priya.submit(CLOSEOUT_PRIYA)
    close(bot, cycle_id)
    send(bot, surveys.send_celebrations(bot.services, cycle_id=cycle_id))
    for shown in _rendered(bot):
        for raw in ("<!channel>", "<!here>", "<@U0AMARA>", "<https://evil.example"):
            assert raw not in shown, f"{raw} reached Slack as markup: {shown[:300]}"
        assert "&lt;!channel&gt;" in shown, "the words are still shown, literally"


def test_a_forged_closeout_with_huge_negative_and_wrong_typed_values_is_refused_inline(
    bot: LocalBot,
) -> None:
    cycle_id = in_cycle(bot)
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    tom = bot.fake.user("U0TOM")
    tom.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0TOM", ids.A_CLOSEOUT_OPEN))
    good = tom.submit(CLOSEOUT_TOM).payload
    for value, recommend in (("99999999999999999999", "-1"), ("abc", "11"), ("", "3.5"), ("-3", "1e3")):
        forged = copy.deepcopy(good)
        state = forged["view"]["state"]["values"]
        state[ids.B_SURVEY_VALUE][ids.A_VALUE]["selected_option"]["value"] = value
        state[ids.B_SURVEY_RECOMMEND][ids.A_VALUE]["selected_option"]["value"] = recommend
        refused = bot.fake.send_interaction(forged)
        assert refused.status == 200
        assert refused.json and refused.json.get("response_action") == "errors", (value, recommend)
        assert {ids.B_SURVEY_VALUE, ids.B_SURVEY_RECOMMEND} <= set(refused.json["errors"])
    # Words past Slack's limit, sent around the modal's max_length, are refused, not cut silently.
    forged = copy.deepcopy(good)
    forged["view"]["state"]["values"][ids.B_SURVEY_THANKS][ids.A_VALUE]["value"] = "é" * 5000
    refused = bot.fake.send_interaction(forged)
    assert refused.json and ids.B_SURVEY_THANKS in refused.json["errors"]
    # Blocks missing altogether, and blocks we never sent.
    forged = copy.deepcopy(good)
    forged["view"]["state"]["values"] = {"ZZZ": {"x": {"type": "plain_text_input", "value": "hi"}}}
    refused = bot.fake.send_interaction(forged)
    assert refused.status == 200 and refused.json and refused.json.get("response_action") == "errors"
    stored = answers(bot, SurveyKind.CLOSEOUT)
    assert [(a.value, a.recommend, a.thanks) for a in stored] == [(5, 9, CLOSEOUT_TOM[ids.B_SURVEY_THANKS])]


def test_a_closeout_replayed_into_another_cycle_or_pair_is_refused(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    tom = bot.fake.user("U0TOM")
    tom.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0TOM", ids.A_CLOSEOUT_OPEN))
    good = tom.submit(CLOSEOUT_TOM).payload
    pairing_id = good["view"]["private_metadata"].split(":")[1]
    for metadata in (f"{cycle_id + 1}:{pairing_id}", f"{cycle_id}:{int(pairing_id) + 7}", "-1:-1", "x", ""):
        forged = copy.deepcopy(good)
        forged["view"]["private_metadata"] = metadata
        forged["view"]["state"]["values"][ids.B_SURVEY_RECOMMEND][ids.A_VALUE]["selected_option"]["value"] = "0"
        result = bot.fake.send_interaction(forged)
        assert result.status == 200, metadata
    with session_scope(bot.services.engine) as session:
        rows = list(session.exec(select(SurveyAnswer)))
    assert [(a.cycle_id, a.recommend) for a in rows] == [(cycle_id, 9)], "nothing stored elsewhere"
    # Replayed twice (a Slack retry): still one row.
    assert bot.fake.send_interaction(good).status == 200
    assert len(answers(bot, SurveyKind.CLOSEOUT)) == 1


def test_opting_in_after_the_cycle_closed_is_politely_refused(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    priya = bot.fake.user("U0PRIYA")
    priya.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0PRIYA", ids.A_CLOSEOUT_OPEN))
    done = priya.submit({**CLOSEOUT_PRIYA, ids.B_SURVEY_OPT_IN: []}).payload
    close(bot, cycle_id)
    forged = copy.deepcopy(done)
    opt = forged["view"]["state"]["values"][ids.B_SURVEY_OPT_IN][ids.A_VALUE]
    opt["selected_options"] = [{"text": {"type": "plain_text", "text": "x"}, "value": "shout_out"}]
    late = bot.fake.send_interaction(forged)
    assert late.json and "closed" in str(late.json.get("errors"))
    assert [(a.shout_out, a.manager_note) for a in answers(bot, SurveyKind.CLOSEOUT)] == [(False, False)]
    send(bot, surveys.send_celebrations(bot.services, cycle_id=cycle_id))
    assert bot.fake.messages(KUDOS.id) == []


def test_what_changed_never_reaches_the_partner_or_the_leads(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    tom, priya = bot.fake.user("U0TOM"), bot.fake.user("U0PRIYA")
    secret, unquoted = "SECRET-CHANGE-42", "UNQUOTED-THANKS-77"
    tom.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0TOM", ids.A_CLOSEOUT_OPEN))
    tom.submit({**CLOSEOUT_TOM, ids.B_SURVEY_CHANGED: secret, ids.B_SURVEY_THANKS: unquoted, ids.B_SURVEY_QUOTE: []})
    priya.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0PRIYA", ids.A_CLOSEOUT_OPEN))
    priya.submit(CLOSEOUT_PRIYA)
    close(bot, cycle_id)
    send(bot, surveys.send_celebrations(bot.services, cycle_id=cycle_id))
    lead = bot.fake.user(LEAD)
    priya.slash("/mentoring", "mydata")
    lead.slash("/mentoring", "report")
    lead.open_home()
    priya.open_home()
    bot.settle()
    seen: list[Any] = [priya.dms, priya.home, lead.home, lead.dms, lead.ephemerals, bot.fake.messages(KUDOS.id)]
    seen += [bot.fake.user("U0SOFIA").dms]
    for where in seen:
        assert secret not in str(where) and unquoted not in str(where)
    with session_scope(bot.services.engine) as session:
        assert session.exec(select(Cycle)).one().id == cycle_id


def test_the_partners_goal_in_the_closeout_is_shown_literally(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    add_goal(bot, "U0TOM", "Ship <https://evil.example|the board pack> with <!channel>")
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    priya = bot.fake.user("U0PRIYA")
    priya.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0PRIYA", ids.A_CLOSEOUT_OPEN))
    shown = str(priya.modal)
    assert "the board pack" in shown, "the partner sees the goal"
    assert "<https://evil.example" not in shown and "<!channel>" not in shown


def test_private_words_stay_out_of_the_leads_views_the_export_and_the_partners_copy(
    bot: LocalBot,
) -> None:
    cycle_id = in_cycle(bot)
    now = bot.services.clock()
    goal, changed, thanks = "GOAL-MARKER-1", "CHANGED-MARKER-2", "THANKS-MARKER-3"
    with session_scope(bot.services.engine) as session:
        pairing = session.exec(select(Pairing)).one()
        assert pairing.id is not None
        session.add(
            Goal(pairing_id=pairing.id, owner_id="U0TOM", position=1, text=goal, created_at=now, updated_at=now)
        )
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    tom, priya, lead = bot.fake.user("U0TOM"), bot.fake.user("U0PRIYA"), bot.fake.user(LEAD)
    tom.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0TOM", ids.A_CLOSEOUT_OPEN))
    tom.submit({**CLOSEOUT_TOM, ids.B_SURVEY_CHANGED: changed, ids.B_SURVEY_THANKS: thanks, ids.B_SURVEY_QUOTE: []})
    priya.open_home()
    bot.settle()
    assert goal in str(priya.home), "the partner sees the pair's goals"
    priya.slash("/mentoring", "mydata")
    lead.slash("/mentoring", "report")
    lead.slash("/mentoring", "export")
    lead.open_home()
    bot.settle()
    exported = [f.content or b"" for f in bot.fake.uploaded_files(lead.dm_channel)]
    assert exported, "the export went out"
    for where in (str(priya.dms), str(lead.home), str(lead.dms), str(lead.ephemerals), *map(repr, exported)):
        for private in (goal, changed, thanks):
            assert private not in where
    for leads_message in bot.fake.messages(LEADS_CHANNEL.id):
        assert all(p not in str(leads_message) for p in (goal, changed, thanks))


def test_a_cycle_name_that_would_ping_or_link_is_refused_inline(bot: LocalBot) -> None:
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "cycle")
    today = bot.services.clock().date().isoformat()
    for name in ("<!channel> Spring", "Spring <https://evil.example|2027>", "<@U0TOM>'s cycle"):
        refused = lead.submit({ids.B_CYCLE_NAME: name, ids.B_CYCLE_START: today, ids.B_CYCLE_LENGTH: "6"})
        assert "Leave out < and >" in refused.errors[ids.B_CYCLE_NAME], name
    with session_scope(bot.services.engine) as session:
        assert session.exec(select(Cycle)).all() == []
    done = lead.submit({ids.B_CYCLE_NAME: "Spring & Summer 2027 ✨", ids.B_CYCLE_START: today})
    assert done.response_action == "update", done.errors
    with session_scope(bot.services.engine) as session:
        assert [c.name for c in session.exec(select(Cycle))] == ["Spring & Summer 2027 ✨"]


def _start(bot: LocalBot, name: str, day: str, months: str = "6") -> Any:
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "cycle")
    return lead.submit({ids.B_CYCLE_NAME: name, ids.B_CYCLE_START: day, ids.B_CYCLE_LENGTH: months})


def test_a_cycle_submitted_twice_or_from_a_stale_second_form_makes_one_cycle(bot: LocalBot) -> None:
    today = bot.services.clock().date().isoformat()
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "cycle")
    stale = copy.deepcopy(lead.modal)  # a second form, opened before the first was sent
    done = lead.submit({ids.B_CYCLE_NAME: "Spring 2027", ids.B_CYCLE_START: today, ids.B_CYCLE_LENGTH: "6"})
    assert done.response_action == "update"
    retry = bot.fake.send_interaction(done.payload)  # Slack's retry, or a double click
    assert retry.json and retry.json.get("response_action") == "update"
    assert stale is not None
    clash = copy.deepcopy(done.payload)
    clash["view"]["state"]["values"][ids.B_CYCLE_NAME][ids.A_VALUE]["value"] = "Also spring"
    refused = bot.fake.send_interaction(clash)
    assert refused.json and "overlap “Spring 2027”" in refused.json["errors"][ids.B_CYCLE_START]
    with session_scope(bot.services.engine) as session:
        assert [c.name for c in session.exec(select(Cycle))] == ["Spring 2027"]


def test_forged_cycle_lengths_and_dates_are_refused_inline(bot: LocalBot) -> None:
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "cycle")
    today = bot.services.clock().date().isoformat()
    good = lead.submit({ids.B_CYCLE_NAME: "x", ids.B_CYCLE_START: "2026-11-01", ids.B_CYCLE_LENGTH: "6"})
    assert good.response_action == "update"
    with session_scope(bot.services.engine) as session:
        cycle = session.exec(select(Cycle)).one()
        session.delete(cycle)
    for months, day in (("0", today), ("-6", today), ("999999", today), ("abc", today), ("6", "9999-12-31")):
        forged = copy.deepcopy(good.payload)
        state = forged["view"]["state"]["values"]
        state[ids.B_CYCLE_LENGTH][ids.A_VALUE]["selected_option"]["value"] = months
        state[ids.B_CYCLE_START][ids.A_VALUE]["selected_date"] = day
        refused = bot.fake.send_interaction(forged)
        assert refused.status == 200 and refused.json, (months, day)
        assert refused.json.get("response_action") == "errors", (months, day, refused.json)
    for bad_day in ("not a date", "", None, "2026-02-30"):
        forged = copy.deepcopy(good.payload)
        forged["view"]["state"]["values"][ids.B_CYCLE_START][ids.A_VALUE]["selected_date"] = bad_day
        refused = bot.fake.send_interaction(forged)
        assert refused.json and ids.B_CYCLE_START in refused.json["errors"], bad_day
    with session_scope(bot.services.engine) as session:
        assert session.exec(select(Cycle)).all() == []


def test_extend_with_forged_metadata_to_the_past_to_far_away_and_after_the_close(bot: LocalBot) -> None:
    today = bot.services.clock().date()
    _start(bot, "Spring 2027", today.isoformat())
    lead = bot.fake.user(LEAD)
    shown = lead.slash("/mentoring", "cycle").ephemerals[0]
    lead.click(ids.A_CYCLE_EXTEND, where=shown)
    bot.settle()
    assert lead.modal is not None
    good = lead.submit({ids.B_CYCLE_END: "2027-06-30"})
    assert good.response_action == "update"
    assert bot.fake.send_interaction(good.payload).json.get("response_action") == "update", "the same date twice"
    for metadata in ('{"cycle": 999}', '{"cycle": -1}', '{"cycle": "1; drop"}', "[1]", "not json", ""):
        forged = copy.deepcopy(good.payload)
        forged["view"]["private_metadata"] = metadata
        forged["view"]["state"]["values"][ids.B_CYCLE_END][ids.A_VALUE]["selected_date"] = "2027-07-31"
        refused = bot.fake.send_interaction(forged)
        assert refused.json and refused.json.get("response_action") == "errors", metadata
    for day in ("2026-01-01", "2099-01-01", "garbage"):
        forged = copy.deepcopy(good.payload)
        forged["view"]["state"]["values"][ids.B_CYCLE_END][ids.A_VALUE]["selected_date"] = day
        refused = bot.fake.send_interaction(forged)
        assert refused.json and ids.B_CYCLE_END in refused.json.get("errors", {}), day
    with session_scope(bot.services.engine) as session:
        (cycle,) = session.exec(select(Cycle)).all()
        assert str(cycle.ends_on) == "2027-06-30"
        assert cycle.id is not None
    close(bot, cycle.id)
    forged = copy.deepcopy(good.payload)
    forged["view"]["state"]["values"][ids.B_CYCLE_END][ids.A_VALUE]["selected_date"] = "2027-07-31"
    late = bot.fake.send_interaction(forged)
    assert late.json and "already closed" in late.json["errors"][ids.B_CYCLE_END]


def test_six_goals_full_of_markup_characters_keep_the_home_tab_and_closeout_within_slacks_limits(
    bot: LocalBot,
) -> None:
    cycle_id = in_cycle(bot)
    now = bot.services.clock()
    with session_scope(bot.services.engine) as session:
        pairing = session.exec(select(Pairing)).one()
        assert pairing.id is not None
        for owner in ("U0TOM", "U0PRIYA"):
            for position in (1, 2, 3):
                text = ("<&>" * 66 + "é")[:200]
                session.add(
                    Goal(
                        pairing_id=pairing.id,
                        owner_id=owner,
                        position=position,
                        text=text,
                        created_at=now,
                        updated_at=now,
                    )
                )
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    tom = bot.fake.user("U0TOM")
    tom.open_home()
    bot.settle()
    assert tom.home is not None and "&lt;&amp;&gt;" in str(tom.home)
    tom.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0TOM", ids.A_CLOSEOUT_OPEN))
    assert tom.modal is not None
    assert bot.fake.violations == []


def test_no_shout_out_or_quote_for_people_who_left_with_deletion(bot: LocalBot) -> None:
    cycle_id = closed_out(bot)
    tom, priya = bot.fake.user("U0TOM"), bot.fake.user("U0PRIYA")
    tom.slash("/mentoring", "leave")
    tom.click(ids.A_LEAVE_DELETE)
    bot.settle()
    close(bot, cycle_id)
    send(bot, surveys.send_celebrations(bot.services, cycle_id=cycle_id))
    words = CLOSEOUT_TOM[ids.B_SURVEY_THANKS]
    assert isinstance(words, str)
    everywhere = [*bot.fake.messages(KUDOS.id), *bot.fake.user("U0SOFIA").dms, *priya.dms]
    assert all(words not in str(m) for m in everywhere), "a deleted mentee's words are never quoted"


def test_a_mentor_who_left_with_deletion_is_not_shouted_out(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    priya = bot.fake.user("U0PRIYA")
    priya.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0PRIYA", ids.A_CLOSEOUT_OPEN))
    priya.submit(CLOSEOUT_PRIYA)
    priya.slash("/mentoring", "leave")
    priya.click(ids.A_LEAVE_DELETE)
    bot.settle()
    close(bot, cycle_id)
    send(bot, surveys.send_celebrations(bot.services, cycle_id=cycle_id))
    assert bot.fake.messages(KUDOS.id) == []
    assert not any("appreciation" in t for t in bot.fake.user("U0SOFIA").dm_texts)


def test_a_closeout_queued_before_someone_left_is_not_sent_to_them(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    queued = surveys.send_closeouts(bot.services, cycle_id=cycle_id)
    assert len(queued) == 2
    tom = bot.fake.user("U0TOM")
    tom.slash("/mentoring", "leave")
    tom.click(ids.A_LEAVE_KEEP)
    bot.settle()
    send(bot, queued)
    assert not any(ids.A_CLOSEOUT_OPEN in str(m) for m in tom.dms), "no close-out for someone who left"
    assert not any(ids.A_CLOSEOUT_OPEN in str(m) for m in bot.fake.user("U0PRIYA").dms), "their pair has ended"


def test_pulse_buttons_with_forged_values_open_nothing_and_say_why(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    send(bot, surveys.send_pulses(bot.services, cycle_id=cycle_id))
    tom = bot.fake.user("U0TOM")
    prompt = last_dm_with(bot, "U0TOM", ids.A_PULSE_OPEN)
    opened = len(bot.fake.calls_to("views.open"))
    for value in ("-1:1", "1:-1", f"{cycle_id}:99999999999999999999", "abc", "", None, f"{cycle_id + 5}:1"):
        clicked = copy.deepcopy(tom.click(ids.A_PULSE_OPEN, where=prompt).payload)
        tom.close()
        opened = len(bot.fake.calls_to("views.open"))
        clicked["actions"][0]["value"] = value
        assert bot.fake.send_interaction(clicked).status == 200, value
        bot.settle()
        assert len(bot.fake.calls_to("views.open")) == opened, value
    replies = [str(c.args) for c in bot.fake.calls_to("response_url")]
    assert len(replies) >= 7
    # A pulse submitted with a forged answer to "keep going / need help" is refused inline.
    tom.click(ids.A_PULSE_OPEN, where=prompt)
    done = tom.submit(
        {ids.B_SURVEY_VALUE: "4", ids.B_SURVEY_HELP: "keep_going", ids.B_SURVEY_CONFIDENCE + "genai": "3"}
    )
    forged = copy.deepcopy(done.payload)
    forged["view"]["state"]["values"][ids.B_SURVEY_HELP][ids.A_VALUE]["selected_option"]["value"] = "maybe"
    refused = bot.fake.send_interaction(forged)
    assert refused.json and ids.B_SURVEY_HELP in refused.json["errors"]
    assert [(a.value, a.need_help) for a in answers(bot, SurveyKind.PULSE)] == [(4, False)]


def test_a_non_lead_forging_the_extend_form_and_end_buttons_changes_nothing(bot: LocalBot) -> None:
    today = bot.services.clock().date()
    _start(bot, "Spring 2027", today.isoformat())
    lead = bot.fake.user(LEAD)
    lead.click(ids.A_CYCLE_EXTEND, where=lead.slash("/mentoring", "cycle").ephemerals[0])
    bot.settle()
    good = lead.submit({ids.B_CYCLE_END: "2027-06-30"}).payload
    forged = copy.deepcopy(good)
    forged["user"] = {**forged["user"], "id": "U0TOM", "username": "tom", "name": "tom"}
    forged["view"]["state"]["values"][ids.B_CYCLE_END][ids.A_VALUE]["selected_date"] = "2027-12-31"
    refused = bot.fake.send_interaction(forged)
    assert refused.json and "Only program leads" in refused.json["errors"][ids.B_CYCLE_END]
    # A lead's End early with an id that is no cycle (a stale or crafted button) says so and ends nothing.
    shown = lead.slash("/mentoring", "cycle").ephemerals[0]
    click = lead.click(ids.A_CYCLE_END_EARLY, where=shown).payload
    bot.settle()
    with session_scope(bot.services.engine) as session:
        ended_on = session.exec(select(Cycle)).one().ends_on
    for value in ("999", "-1", "abc"):
        again = copy.deepcopy(click)
        again["actions"][0]["value"] = value
        assert bot.fake.send_interaction(again).status == 200
        bot.settle()
    with session_scope(bot.services.engine) as session:
        assert session.exec(select(Cycle)).one().ends_on == ended_on
    said = [str(c.args) for c in bot.fake.calls_to("response_url")][-3:]
    assert all("already closed" in s or "out of date" in s for s in said), said


def test_forged_consent_fields_store_no_consent_for_the_wrong_side(bot: LocalBot) -> None:
    cycle_id = in_cycle(bot)
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    tom, priya = bot.fake.user("U0TOM"), bot.fake.user("U0PRIYA")
    tom.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0TOM", ids.A_CLOSEOUT_OPEN))
    forged = copy.deepcopy(tom.submit({**CLOSEOUT_TOM, ids.B_SURVEY_QUOTE: []}).payload)
    option = {"text": {"type": "plain_text", "text": "x"}, "value": "shout_out"}
    forged["view"]["state"]["values"][ids.B_SURVEY_OPT_IN] = {
        ids.A_VALUE: {"type": "checkboxes", "selected_options": [option, {**option, "value": "manager_note"}]}
    }
    assert bot.fake.send_interaction(forged).status == 200
    priya.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0PRIYA", ids.A_CLOSEOUT_OPEN))
    forged = copy.deepcopy(priya.submit(CLOSEOUT_PRIYA).payload)
    forged["view"]["state"]["values"][ids.B_SURVEY_THANKS] = {ids.A_VALUE: {"type": "plain_text_input", "value": "hi"}}
    forged["view"]["state"]["values"][ids.B_SURVEY_QUOTE] = {
        ids.A_VALUE: {"type": "checkboxes", "selected_options": [{**option, "value": "may_quote"}]}
    }
    assert bot.fake.send_interaction(forged).status == 200
    stored = {a.user_id: (a.shout_out, a.manager_note, a.may_quote) for a in answers(bot, SurveyKind.CLOSEOUT)}
    assert stored["U0TOM"][:2] == (False, False), "a mentee is not offered a mentor's credit"
    assert stored["U0PRIYA"][2] is False, "a mentor's thanks box is not offered"
