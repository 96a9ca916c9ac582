"""Issue 10 probed as an attacker and a careless user would: forged and replayed values, other people's ids,
mention-bearing words, double submissions, and private words looking for a way out."""

from __future__ import annotations

import copy
from typing import Any

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
    answers,
    bot,  # noqa: F401 (the fixture)
    close,
    in_cycle,
    last_dm_with,
    send,
)

INJECTION = "Thanks <!channel> <!here> <@U0AMARA> <https://evil.example|click me> & more"


def _rendered(bot: LocalBot) -> list[str]:
    """Everything the celebrations put in front of anyone: the shout-out, the manager's note, the mentor's thanks."""
    shout = [str(m) for m in bot.fake.messages(KUDOS.id)]
    note = [str(m) for m in bot.fake.user("U0SOFIA").dms]
    thanks = [str(m) for m in bot.fake.user("U0PRIYA").dms if "is complete" in str(m)]
    assert shout and note and thanks
    return [*shout, *note, *thanks]


def test_a_quoted_thank_you_cannot_ping_the_channel_or_hide_a_link(bot: LocalBot) -> None:  # noqa: F811
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
    bot: LocalBot,  # noqa: F811
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


def test_a_closeout_replayed_into_another_cycle_or_pair_is_refused(bot: LocalBot) -> None:  # noqa: F811
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


def test_opting_in_after_the_cycle_closed_is_politely_refused(bot: LocalBot) -> None:  # noqa: F811
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


def test_what_changed_never_reaches_the_partner_or_the_leads(bot: LocalBot) -> None:  # noqa: F811
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


def test_the_partners_goal_in_the_closeout_is_shown_literally(bot: LocalBot) -> None:  # noqa: F811
    cycle_id = in_cycle(bot)
    now = bot.services.clock()
    with session_scope(bot.services.engine) as session:
        pairing = session.exec(select(Pairing)).one()
        assert pairing.id is not None
        session.add(
            Goal(
                pairing_id=pairing.id,
                owner_id="U0TOM",
                position=1,
                text="Ship <https://evil.example|the board pack> with <!channel>",
                created_at=now,
                updated_at=now,
            )
        )
    send(bot, surveys.send_closeouts(bot.services, cycle_id=cycle_id))
    priya = bot.fake.user("U0PRIYA")
    priya.click(ids.A_CLOSEOUT_OPEN, where=last_dm_with(bot, "U0PRIYA", ids.A_CLOSEOUT_OPEN))
    shown = str(priya.modal)
    assert "the board pack" in shown, "the partner sees the goal"
    assert "<https://evil.example" not in shown and "<!channel>" not in shown


def test_private_words_stay_out_of_the_leads_views_the_export_and_the_partners_copy(
    bot: LocalBot,  # noqa: F811
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


def test_a_cycle_name_that_would_ping_or_link_is_refused_inline(bot: LocalBot) -> None:  # noqa: F811
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
