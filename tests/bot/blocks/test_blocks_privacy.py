"""Privacy copy: a person's copy of their data within Slack's limits, the consent text, the check-in's choice to
tell the lead, and the leads' retention notice."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from bot.blocks import ids
from bot.blocks.momentum import checkin_modal, rematch_offer
from bot.blocks.privacy import (
    MESSAGE_BLOCKS_MAX,
    SECTION_TEXT_MAX,
    CheckInRecord,
    MyData,
    PairRecord,
    PendingRecord,
    SessionRecord,
    my_data_messages,
    purge_notice,
)
from bot.blocks.signup import CONSENT_TEXT
from bot.domain.catalogue import load_catalogue
from bot.domain.people import Cadence, Seniority, Status
from bot.sandbox.fake_slack import BlockKitValidator, load_contract

CATALOGUE = load_catalogue()
VALIDATOR = BlockKitValidator(load_contract()["block_kit_limits"])
JOINED = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def profile(**changes: Any) -> Any:
    base: dict[str, Any] = dict(
        slack_user_id="U0TOM",
        name="Tom Becker",
        title="VP Finance",
        is_mentor=False,
        is_mentee=True,
        teach_topics=[],
        learn_topics=["genai"],
        seniority=Seniority.EXECUTIVE,
        department="Finance",
        cadence=Cadence.BIWEEKLY,
        capacity=0,
        goals="Use AI tools with confidence",
        manager_id="U0DIANE",
        sponsor_id="U0OLIVER",
        do_not_match=["U0LEO"],
        tz="Europe/Berlin",
        joined_at=JOINED,
        consented_at=JOINED,
    )
    base.update(changes)
    return SimpleNamespace(**base)


def data(**changes: Any) -> MyData:
    base: dict[str, Any] = dict(
        profile=profile(),
        status=Status.ACTIVE,
        paused_until=None,
        left_at=None,
        deleted_on=None,
        pairs=[],
        checkins=[],
        pauses=[],
        waitlisted=[],
        pending=[],
        sent={},
        prompts=(0, 0),
        tz="Europe/Berlin",
    )
    base.update(changes)
    return MyData(**base)


def readable(messages: list[tuple[str, list[dict[str, Any]]]]) -> str:
    return "\n".join(b["text"]["text"] for _, blocks in messages for b in blocks if b["type"] == "section")


def test_a_short_copy_is_one_valid_message_with_everything_in_it() -> None:
    pair = PairRecord(
        partner="Priya Nair",
        you_mentor=False,
        status="active",
        since=JOINED,
        ended=None,
        topics=["Generative AI and new tools"],
        reasons=["Priya Nair teaches Generative AI"],
        next_session=date(2026, 3, 16),
        sessions=[
            SessionRecord(date(2026, 3, 9), True, "walked through ChatGPT"),
            SessionRecord(date(2026, 3, 3), False, ""),
        ],
    )
    answer = CheckInRecord(JOINED, "Priya Nair", "all", 4, "prompts", "", "bad", True)
    messages = my_data_messages(
        data(
            pairs=[pair],
            checkins=[answer],
            pending=[PendingRecord("reminder", JOINED, "Tomorrow: your session with Priya Nair")],
            sent={"intro": 1, "checkin": 2},
            prompts=(3, 2),
        ),
        CATALOGUE,
    )
    assert len(messages) == 1
    text, blocks = messages[0]
    assert text == "Everything Turnabout stores about you"
    assert VALIDATOR.message_problems(blocks) == []
    copy = readable(messages)
    for seen in (
        "*Name:* Tom Becker",
        "*Goals:* Use AI tools with confidence",
        "*Manager:* <@U0DIANE>",
        "*Not to be matched with:* <@U0LEO>",
        "Priya Nair mentors you* (active, since 2 Mar 2026)",
        "Session on 9 Mar 2026, logged by you: “walked through ChatGPT”",
        "Session on 3 Mar 2026, logged by Priya Nair",
        "not a good fit (you told the program lead)",
        "2 check-ins, 1 introduction",
        "Check-ins and nudges sent to you: 3, of which you answered 2",
        "session reminder: “Tomorrow: your session with Priya Nair”",
    ):
        assert seen in copy, seen


def test_a_long_copy_is_split_within_slacks_limits_and_loses_nothing() -> None:
    notes = [f"note {n}: " + "x" * 480 for n in range(300)]
    sessions = [SessionRecord(date(2026, 3, 1) + timedelta(days=n), True, note) for n, note in enumerate(notes)]
    pair = PairRecord("Priya Nair", False, "ended", JOINED, JOINED, [], [], None, sessions)
    pending = [PendingRecord("nudge", JOINED, "y" * 3500)]  # a single line longer than a section
    messages = my_data_messages(data(pairs=[pair], pending=pending), CATALOGUE)
    assert len(messages) > 1
    for number, (text, blocks) in enumerate(messages, start=1):
        assert VALIDATOR.message_problems(blocks) == []
        assert len(blocks) <= MESSAGE_BLOCKS_MAX
        assert all(len(b["text"]["text"]) <= SECTION_TEXT_MAX for b in blocks if b["type"] == "section")
        assert text.endswith(f"(part {number} of {len(messages)})")
    copy = readable(messages)
    assert all(note in copy for note in notes), "every session note is there, none cut"
    assert copy.replace("\n", "").count("y") >= 3500


def test_someone_who_left_is_told_when_it_is_deleted() -> None:
    left = data(status=Status.LEFT, left_at=JOINED, deleted_on=JOINED + timedelta(days=31))
    assert "left on 2 Mar 2026; we delete all of this on 2 Apr 2026" in readable(my_data_messages(left, CATALOGUE))
    nobody = data(profile=None, status=Status.NOT_JOINED, sent={"sponsor": 2})
    copy = readable(my_data_messages(nobody, CATALOGUE))
    assert "no profile" in copy and "2 notes as a sponsor" in copy


def test_the_consent_says_exactly_what_leads_see() -> None:
    for promise in (
        "leads see totals only, over three or more answers",
        "only if you ask for help",
        "choose to tell them in a check-in",
        "whether your pair's sessions happen",
        "`/mentoring mydata`",
    ):
        assert promise in CONSENT_TEXT
    assert "leads only see totals." not in CONSENT_TEXT, "no longer the whole truth"


def test_only_the_first_check_in_asks_about_fit_with_the_choice_to_tell_the_lead() -> None:
    first = str(checkin_modal(prompt_id=1, other_name="Priya", ask_fit=True).to_dict())
    assert ids.B_CHECKIN_TELL_LEAD in first and "Tell the program lead" in first
    assert "unless you choose to tell them" in first
    later = str(checkin_modal(prompt_id=2, other_name="Priya", ask_fit=False).to_dict())
    assert ids.B_CHECKIN_TELL_LEAD not in later and "Leads only see totals." in later
    assert "Nobody else knows" in str(rematch_offer(pairing_id=1, other_name="Priya", leads_know=False))
    assert "program leads know" in str(rematch_offer(pairing_id=1, other_name="Priya", leads_know=True))


def test_the_retention_notice_counts_people_and_names_no_one() -> None:
    one, many = purge_notice(count=1, days=30), purge_notice(count=4, days=45)
    assert "1 person who left" in one and "30 days" in one
    assert "4 people who left" in many and "45 days" in many
    assert "can't be undone" in many and "nothing you need to do" in many
