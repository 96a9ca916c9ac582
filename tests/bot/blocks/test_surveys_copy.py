"""The surveys' copy and Block Kit: within Slack's limits for the longest names, options offered only when they
can be honoured, and the recognition texts quoting only what may be quoted."""

from __future__ import annotations

from datetime import date

from bot.blocks import ids
from bot.blocks import surveys as views
from bot.domain import surveys as rules

LONG_NAME = "Maximilian " * 23  # 253 characters, near the longest name we store
LONG_CYCLE = "C" * 80


def test_the_longest_names_still_make_valid_modals_and_messages() -> None:
    topics = [("genai", "Generative AI and new tools"), ("strategy", "Strategy and the bigger picture")]
    pulse = views.pulse_modal(cycle_name=LONG_CYCLE, other_name=LONG_NAME, value="1:2", topics=topics)
    assert pulse.to_dict()["private_metadata"] == "1:2"
    for mentor in (True, False):
        form = views.CloseoutForm(
            cycle_name=LONG_CYCLE,
            other_name=LONG_NAME,
            value="1:2",
            you_mentor=mentor,
            topics=topics,
            goals=[("Yours", "g" * 200), (LONG_NAME, "h" * 200)],
            offer_shout_out=True,
            offer_manager_note=True,
            manager_name=LONG_NAME,
        )
        views.closeout_modal(form).to_dict()  # slack_sdk checks every limit
    for prompt in (views.pulse_prompt, views.closeout_prompt):
        text, _ = prompt(cycle_name=LONG_CYCLE, other_name=LONG_NAME, cycle_id=1, pairing_id=2)
        assert LONG_CYCLE in text


def test_a_mentor_is_offered_only_the_credit_that_can_be_given() -> None:
    def offered(**form: object) -> str:
        base: dict[str, object] = dict(cycle_name="Spring", other_name="Tom", value="1:2", you_mentor=True)
        base.update(form)
        return str(views.closeout_modal(views.CloseoutForm(**base)).to_dict())  # type: ignore[arg-type]

    assert ids.B_SURVEY_OPT_IN not in offered(), "no channel, no known manager: nothing to opt in to"
    assert "shout-out" in offered(offer_shout_out=True) and "your manager" not in offered(offer_shout_out=True)
    assert "your manager" in offered(offer_manager_note=True) and "shout-out" not in offered(offer_manager_note=True)
    assert ids.B_SURVEY_THANKS not in offered(offer_shout_out=True), "thanks are the mentee's to write"


def test_problems_become_inline_errors_on_their_blocks() -> None:
    errors = views.problem_errors(
        {"value": rules.MISSING, "thanks": rules.NOTHING_TO_QUOTE, "confidence:genai": rules.MISSING}
    )
    assert set(errors) == {ids.B_SURVEY_VALUE, ids.B_SURVEY_THANKS, ids.B_SURVEY_CONFIDENCE + "genai"}
    assert "untick" in errors[ids.B_SURVEY_THANKS]


def test_recognition_names_the_mentee_only_beside_words_they_agreed_to_share() -> None:
    _, plain = views.shout_out(
        views.Credit(
            mentor_id="U1", cycle_name="Spring", sessions=6, topics=["Generative AI"], quote=None, mentee_name="Tom"
        )
    )
    assert "Tom" not in str(plain) and "6 sessions" in str(plain) and "Generative AI" in str(plain)
    _, quoted = views.shout_out(
        views.Credit(mentor_id="U1", cycle_name="Spring", sessions=1, topics=[], quote="Thank you!", mentee_name="Tom")
    )
    assert "Thank you!" in str(quoted) and "Tom" in str(quoted) and "1 session " in str(quoted)
    _, note = views.manager_note(
        views.Credit(
            mentor_id="U1", cycle_name="Spring", sessions=3, topics=["A", "B", "C"], quote=None, mentee_name="Tom"
        )
    )
    assert "A, B and C" in str(note) and "Tom" not in str(note)
    thanks = views.cycle_thanks(
        cycle_name="Spring", mentee_name="Tom", sessions=0, first=date(2027, 3, 1), last=date(2027, 8, 31), topics=[]
    )
    assert "mentor Tom from 1 March to 31 August 2027" in thanks


def test_the_mentors_thanks_reads_from_one_day_to_another() -> None:
    thanks = views.cycle_thanks(
        cycle_name="Spring", mentee_name="Tom", sessions=5, first=date(2027, 4, 3), last=date(2027, 7, 2), topics=[]
    )
    assert "You held 5 sessions with Tom from 3 April to 2 July 2027." in thanks
    assert "between" not in thanks


def test_a_managers_note_names_no_session_count_of_zero() -> None:
    _, note = views.manager_note(
        views.Credit(
            mentor_id="U1", cycle_name="Spring", sessions=0, topics=["Generative AI"], quote=None, mentee_name="Tom"
        )
    )
    assert "0 sessions" not in str(note) and "Generative AI" in str(note)
    _, note = views.manager_note(
        views.Credit(mentor_id="U1", cycle_name="Spring", sessions=4, topics=[], quote=None, mentee_name="Tom")
    )
    assert "4 sessions" in str(note)


def test_a_mentee_is_told_their_name_goes_with_the_words_they_let_the_program_quote() -> None:
    # The shout-out and the manager's note sign the quote with the mentee's name ("— Tom"): consent must say so.
    form = views.CloseoutForm(
        cycle_name="Spring",
        other_name="Priya",
        value="1:2",
        you_mentor=False,
        topics=[],
        goals=[],
        offer_shout_out=True,
        offer_manager_note=False,
        manager_name=None,
    )
    quote_block = next(b for b in views.closeout_modal(form).to_dict()["blocks"] if b["block_id"] == ids.B_SURVEY_QUOTE)
    assert "with your name" in quote_block["label"]["text"]


def test_a_cycle_thanks_praises_what_was_done_and_never_a_pair_that_never_met() -> None:
    common = {
        "cycle_name": "Spring 2027",
        "mentee_name": "Tom Becker",
        "first": date(2027, 4, 3),
        "last": date(2027, 7, 2),
        "topics": ["Generative AI"],
    }
    held = views.cycle_thanks(sessions=5, **common)  # type: ignore[arg-type]
    assert "You held 5 sessions with Tom Becker" in held and "patience and nerve" in held
    none = views.cycle_thanks(sessions=0, **common)  # type: ignore[arg-type]
    assert "patience and nerve" not in none and "0 sessions" not in none
    assert "No sessions were logged" in none and "fresh start" in none
