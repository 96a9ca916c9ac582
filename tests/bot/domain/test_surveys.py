"""The rules of a cycle's surveys and of recognition, and the would-recommend measure: no Slack, no database."""

from __future__ import annotations

from datetime import date

from bot.domain import measures
from bot.domain import surveys as rules

TOPICS = ("genai", "data_analytics")


def closeout(**changes: object) -> rules.CloseoutAnswers:
    base: dict[str, object] = dict(
        value=4, recommend=9, continue_pair=True, confidence={"genai": 3, "data_analytics": 2}
    )
    base.update(changes)
    return rules.CloseoutAnswers(**base)  # type: ignore[arg-type]


def test_a_complete_pulse_has_no_problems_and_each_gap_is_named() -> None:
    good = rules.PulseAnswers(value=3, need_help=False, confidence={"genai": 2, "data_analytics": 5})
    assert rules.pulse_problems(good, topics=TOPICS) == {}
    bad = rules.PulseAnswers(value=6, need_help=None, confidence={"genai": 0})
    assert rules.pulse_problems(bad, topics=TOPICS) == {
        "value": rules.MISSING,
        "help": rules.MISSING,
        "confidence:genai": rules.MISSING,
        "confidence:data_analytics": rules.MISSING,
    }


def test_a_closeout_checks_scores_choices_lengths_and_consent_to_quote() -> None:
    assert rules.closeout_problems(closeout(), topics=TOPICS) == {}
    assert rules.closeout_problems(closeout(recommend=0), topics=TOPICS) == {}, "0 is a valid answer"
    assert rules.closeout_problems(closeout(recommend=11, value=None, continue_pair=None), topics=TOPICS) == {
        "recommend": rules.MISSING,
        "value": rules.MISSING,
        "continue": rules.MISSING,
    }
    assert rules.closeout_problems(closeout(changed="x" * 501), topics=TOPICS) == {"changed": rules.TOO_LONG}
    assert rules.closeout_problems(closeout(may_quote=True, thanks="  "), topics=TOPICS) == {
        "thanks": rules.NOTHING_TO_QUOTE
    }
    assert rules.closeout_problems(closeout(may_quote=True, thanks="Thank you!"), topics=TOPICS) == {}


def test_only_words_written_and_agreed_to_be_quoted_are_quotable() -> None:
    assert rules.quotable("Thank you,\n  Priya!", may_quote=True) == "Thank you, Priya!"
    assert rules.quotable("Thank you, Priya!", may_quote=False) is None
    assert rules.quotable("   ", may_quote=True) is None


def test_would_recommend_is_a_net_promoter_score_shown_from_three_answers() -> None:
    few = measures.recommendation({10: 1, 2: 1})
    assert (few.shown, few.nps, few.mean) == (False, None, None)
    scores = measures.recommendation({10: 3, 9: 1, 8: 2, 7: 1, 6: 2, 0: 1, 11: 5, -1: 2})
    assert scores.answers == 10, "scores outside 0-10 are ignored"
    assert (scores.promoters, scores.detractors) == (4, 3)
    assert scores.nps == 10
    assert scores.mean == (30 + 9 + 16 + 7 + 12 + 0) / 10
    assert measures.recommendation({9: 3}).nps == 100 and measures.recommendation({6: 3}).nps == -100


def test_a_pair_is_thanked_for_a_cycle_it_saw_through() -> None:
    end = date(2027, 4, 30)

    def through(**facts: object) -> bool:
        base: dict[str, object] = dict(settled=False, active=False, in_cycle_now=False, ended_on=None)
        base.update(facts)
        return rules.saw_cycle_through(cycle_ends_on=end, **base)  # type: ignore[arg-type]

    assert through(settled=True), "rolled over or closed at the cycle's end"
    assert through(active=True, in_cycle_now=True), "still in it when it closed"
    assert not through(active=True), "active in another cycle without a recorded roll-over: not this one's"
    assert through(ended_on=end) and through(ended_on=date(2027, 5, 2)), "closed with the cycle"
    assert not through(ended_on=date(2027, 2, 1)), "ended along the way"
