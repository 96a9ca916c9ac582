"""Matching rules: hard constraints, each score component, and the plain-language reasons.

The whole-pool optimum is proven against brute force in ``test_matching_optimum.py``.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from bot.domain.matching import (
    DEFAULT_RULES,
    Candidate,
    Constraint,
    MatchRules,
    PairScore,
    ScoreWeights,
    department_history,
    pair_score,
    propose,
    violations,
)
from bot.domain.matching.scoring import (
    COMPONENTS,
    cadence_fit,
    component_points,
    hours_overlap_minutes,
    reach_fit,
    seniority_fit,
    topic_priorities,
    wait_fraction,
)
from tests.support import MATCH_NOW as NOW
from tests.support import candidate as person

LABELS = {
    "genai": "Generative AI & new tools",
    "data": "Data & analytics",
    "strategy": "Strategy",
    "social": "Social media",
    "python": "Python",
}


PRIYA = person("priya", can_mentor=True, teaches=("genai", "data"), level=0, department="Data", utc_offset_minutes=330)
TOM = person("tom", can_mentee=True, learns=("genai",), level=5, department="Finance", utc_offset_minutes=60)


def score_of(mentor: Candidate, mentee: Candidate, **kwargs: object) -> PairScore:
    scored = pair_score(mentor, mentee, now=NOW, topic_labels=LABELS, **kwargs)  # type: ignore[arg-type]
    assert scored is not None
    return scored


def points(scored: PairScore) -> dict[str, float]:
    return dict(scored.breakdown)


# Points per component at a perfect fit with the default weights (40:20:15:10:10:5:10, scaled to 100).
FULL = dict(zip(COMPONENTS, component_points(DEFAULT_RULES), strict=True))


# -- hard constraints ------------------------------------------------------------------------------------


def test_a_good_pair_has_no_violations_and_a_readable_score() -> None:
    assert violations(PRIYA, TOM) == []
    scored = score_of(PRIYA, TOM)
    assert 0 < scored.score <= 100
    assert scored.shared_topics == ("genai",)
    assert scored.reasons[0] == "Priya teaches Generative AI & new tools, which Tom wants to learn"
    assert "Data ↔ Finance" in scored.reasons


@pytest.mark.parametrize(
    ("mentor_changes", "mentee_changes", "expected"),
    [
        ({"level": 5}, {}, Constraint.NOT_MORE_JUNIOR),
        ({"level": 6}, {}, Constraint.NOT_MORE_JUNIOR),
        ({"department": "Finance"}, {}, Constraint.SAME_DEPARTMENT),
        ({"manager_id": "tom"}, {}, Constraint.MANAGER),
        ({}, {"manager_id": "priya"}, Constraint.MANAGER),
        ({}, {"sponsor_id": "priya"}, Constraint.SPONSOR),
        ({"do_not_match": frozenset({"tom"})}, {}, Constraint.DO_NOT_MATCH),
        ({}, {"do_not_match": frozenset({"priya"})}, Constraint.DO_NOT_MATCH),
        ({"teaches": ("social",)}, {}, Constraint.NO_SHARED_TOPIC),
        ({"capacity": 0}, {}, Constraint.NO_CAPACITY),
        ({"can_mentor": False}, {}, Constraint.NOT_A_MENTOR),
        ({}, {"can_mentee": False}, Constraint.NOT_A_MENTEE),
    ],
)
def test_each_hard_constraint_rules_a_pair_out(
    mentor_changes: dict[str, object], mentee_changes: dict[str, object], expected: Constraint
) -> None:
    mentor, mentee = replace(PRIYA, **mentor_changes), replace(TOM, **mentee_changes)  # type: ignore[arg-type]
    assert violations(mentor, mentee) == [expected]
    assert pair_score(mentor, mentee, now=NOW) is None
    assert propose([mentor, mentee], now=NOW).matches == ()


def test_the_mentee_sponsoring_the_mentor_is_fine_only_the_reverse_is_not() -> None:
    assert violations(replace(PRIYA, sponsor_id="tom"), TOM) == []


def test_nobody_mentors_themselves() -> None:
    both = person("ana", can_mentor=True, can_mentee=True, teaches=("genai",), learns=("genai",), level=2)
    assert Constraint.SAME_PERSON in violations(both, both, rules=MatchRules(allow_equal_levels=True))


def test_past_pairs_in_either_order_are_never_proposed_again() -> None:
    for past in (("priya", "tom"), ("tom", "priya")):
        assert violations(PRIYA, TOM, past_pairs=[past]) == [Constraint.PAST_PAIR]
        assert propose([PRIYA, TOM], now=NOW, past_pairs=[past]).matches == ()


def test_equal_levels_only_when_the_program_allows_reciprocal_mentoring() -> None:
    peers = replace(TOM, level=0)
    assert violations(PRIYA, peers) == [Constraint.NOT_MORE_JUNIOR]
    assert violations(PRIYA, peers, rules=MatchRules(allow_equal_levels=True)) == []
    assert score_of(PRIYA, peers, rules=MatchRules(allow_equal_levels=True)).reasons[4] == (
        "same level (reciprocal mentoring)"
    )


def test_several_violations_are_all_reported_in_order() -> None:
    mentor = replace(PRIYA, level=5, department="Finance", teaches=())
    assert violations(mentor, TOM) == [
        Constraint.NOT_MORE_JUNIOR,
        Constraint.SAME_DEPARTMENT,
        Constraint.NO_SHARED_TOPIC,
    ]


# -- soft score: each component --------------------------------------------------------------------------


def test_wanted_topics_count_by_priority_first_listed_most() -> None:
    rules = DEFAULT_RULES
    assert topic_priorities(("a", "b", "a"), rules) == pytest.approx({"a": 1 / 1.7, "b": 0.7 / 1.7})
    tom = replace(TOM, learns=("genai", "python"))
    first = score_of(replace(PRIYA, teaches=("genai",)), tom)
    second = score_of(replace(PRIYA, teaches=("python",)), tom)
    both = score_of(replace(PRIYA, teaches=("python", "genai")), tom)
    assert points(first)["topics"] == pytest.approx(FULL["topics"] / 1.7)
    assert points(second)["topics"] == pytest.approx(FULL["topics"] * 0.7 / 1.7)
    assert points(both)["topics"] == pytest.approx(FULL["topics"])
    assert both.shared_topics == ("genai", "python")  # in the mentee's order, not the mentor's


@pytest.mark.parametrize(
    ("delta_minutes", "shared_hours"),
    [(0, 8), (60, 7), (-60, 7), (330, 2.5), (480, 0), (720, 0), (18 * 60, 2), (-18 * 60, 2), (24 * 60, 8)],
)
def test_working_hours_overlap_across_time_zones(delta_minutes: int, shared_hours: float) -> None:
    assert hours_overlap_minutes(delta_minutes, 8 * 60) == shared_hours * 60


def test_working_hours_overlap_for_long_and_overnight_days() -> None:
    assert hours_overlap_minutes(600, 24 * 60) == 24 * 60
    assert MatchRules(working_hours=(22, 6)).window_minutes == 8 * 60
    with pytest.raises(ValueError):
        MatchRules(working_hours=(9, 9))


def test_hours_component_in_a_pair() -> None:
    same_zone = score_of(PRIYA, replace(TOM, utc_offset_minutes=330))
    far = score_of(replace(PRIYA, utc_offset_minutes=-480), replace(TOM, utc_offset_minutes=60))
    assert points(same_zone)["hours"] == pytest.approx(FULL["hours"])
    assert points(far)["hours"] == 0
    assert "9 h apart (no shared working hours)" in far.reasons


def test_cadence_agreement() -> None:
    assert [cadence_fit(0, 0), cadence_fit(0, 1), cadence_fit(2, 1), cadence_fit(0, 2)] == [1.0, 0.5, 0.5, 0.0]
    differ = score_of(replace(PRIYA, cadence="weekly"), replace(TOM, cadence="monthly"))
    assert points(differ)["cadence"] == 0
    assert "Priya prefers weekly, Tom monthly meetings" in differ.reasons


def test_a_moderate_seniority_gap_fits_best_and_huge_gaps_a_little_worse() -> None:
    fits = {gap: float(seniority_fit(gap, DEFAULT_RULES)) for gap in range(6)}
    assert fits == pytest.approx({0: 0.6, 1: 0.8, 2: 1.0, 3: 1.0, 4: 0.85, 5: 0.7})
    assert "Tom is 5 levels more senior" in score_of(PRIYA, TOM).reasons


def test_people_who_waited_longest_are_favoured() -> None:
    rules = DEFAULT_RULES
    assert [float(wait_fraction(d, rules)) for d in (0, 45, 90, 400)] == [0.0, 0.5, 1.0, 1.0]
    fresh = score_of(replace(PRIYA, waiting_since=NOW), replace(TOM, waiting_since=NOW))
    waited = score_of(replace(PRIYA, waiting_since=NOW), replace(TOM, waiting_since=NOW - timedelta(days=90)))
    assert points(fresh)["fairness"] == 0
    assert points(waited)["fairness"] == pytest.approx(FULL["fairness"] / 2)  # the mean of the two people's waits
    assert "Tom has waited 90 days" in waited.reasons
    assert not any("waited" in r for r in fresh.reasons)


def test_cross_department_reach_favours_departments_not_paired_before() -> None:
    ana = person("ana", department="Data")
    ben = person("ben", department="Finance")
    history = department_history([ana, ben, PRIYA, TOM], [("ana", "ben"), ("ben", "ana"), ("x", "ben")])
    assert history == {frozenset({"Data", "Finance"}): 1}
    assert float(reach_fit(0)) == 1 and float(reach_fit(1)) == 0.5
    scored = score_of(PRIYA, TOM, history=history)
    assert points(scored)["reach"] == pytest.approx(FULL["reach"] / 2)
    assert "Data ↔ Finance (paired 1 time before)" in scored.reasons


def test_scores_are_on_a_0_to_100_scale_and_the_breakdown_adds_up() -> None:
    perfect = score_of(
        replace(PRIYA, utc_offset_minutes=60, waiting_since=NOW - timedelta(days=90)),
        replace(TOM, level=2, waiting_since=NOW - timedelta(days=200)),
    )
    assert points(perfect)["reciprocal"] == 0
    assert perfect.score == pytest.approx(100 - FULL["reciprocal"])
    perfect = score_of(
        replace(PRIYA, utc_offset_minutes=60, waiting_since=NOW - timedelta(days=90), wants_back=("strategy",)),
        replace(TOM, level=2, waiting_since=NOW - timedelta(days=200), gives_back=("strategy", "leadership")),
    )
    assert perfect.score == pytest.approx(100)
    assert sum(points(perfect).values()) == pytest.approx(perfect.score)
    only_topics = MatchRules(
        weights=ScoreWeights(topics=1, hours=0, seniority=0, cadence=0, fairness=0, reach=0, reciprocal=0)
    )
    assert score_of(PRIYA, replace(TOM, learns=("python", "genai")), rules=only_topics).score == pytest.approx(
        100 * 0.7 / 1.7
    )


def test_invalid_settings_and_people_are_refused() -> None:
    with pytest.raises(ValueError):
        replace(PRIYA, capacity=-1)
    with pytest.raises(ValueError):
        replace(PRIYA, cadence="daily")
    with pytest.raises(ValueError):
        ScoreWeights(topics=0, hours=0, seniority=0, cadence=0, fairness=0, reach=0, reciprocal=0)
    with pytest.raises(ValueError):
        ScoreWeights(reciprocal=-1)
    with pytest.raises(ValueError, match="duplicate ids in pool: priya"):
        propose([PRIYA, PRIYA, TOM], now=NOW)


# -- pair explanations -----------------------------------------------------------------------------------


def test_pair_reasons_read_like_the_product_brief() -> None:
    priya = replace(PRIYA, department="Engineering", utc_offset_minutes=0)
    tom = replace(TOM, learns=("genai", "strategy"), utc_offset_minutes=60, cadence="biweekly", level=3)
    scored = score_of(priya, tom)
    assert scored.reasons[:3] == (
        "Priya teaches Generative AI & new tools, which Tom wants to learn (Tom's first choice)",
        "Engineering ↔ Finance",
        "1 h apart",
    )
    assert scored.explanation.startswith("Priya teaches Generative AI & new tools, which Tom wants to learn")
    assert "both prefer biweekly meetings" in scored.reasons
    assert "Tom is 3 levels more senior" in scored.reasons


def test_working_hours_are_only_spelled_out_when_they_get_tight() -> None:
    scored = score_of(replace(PRIYA, utc_offset_minutes=0), replace(TOM, utc_offset_minutes=330))
    assert "5 h 30 min apart (2 h 30 min of shared working hours)" in scored.reasons


def test_unknown_topic_ids_are_shown_as_they_are() -> None:
    scored = pair_score(replace(PRIYA, teaches=("rust",)), replace(TOM, learns=("rust",)), now=NOW)
    assert scored is not None
    assert scored.reasons[0] == "Priya teaches rust, which Tom wants to learn"


# -- why people are left out -----------------------------------------------------------------------------


def reasons_for(pool: list[Candidate], **kwargs: object) -> dict[str, str]:
    proposal = propose(pool, now=NOW, topic_labels=LABELS, **kwargs)  # type: ignore[arg-type]
    return {u.id: u.reason for u in proposal.unmatched}


def test_everyone_left_out_is_told_why_in_plain_language() -> None:
    kwame = person("kwame", can_mentee=True, learns=("strategy",), level=3, department="Sales")
    dana = person("dana", can_mentee=True, learns=("data",), level=4, department="Data")
    proposal = propose([PRIYA, TOM, kwame, dana], now=NOW, topic_labels=LABELS)
    assert [(m.mentor_id, m.mentee_ids) for m in proposal.matches] == [("priya", ("tom",))]
    reasons = {u.id: u.reason for u in proposal.unmatched}
    assert reasons == {
        "kwame": "no mentor teaches Strategy",
        "dana": "the only mentor who teaches Data & analytics is in the same department",
    }
    assert {u.id: u.role for u in proposal.unmatched} == {"kwame": "mentee", "dana": "mentee"}


def test_every_mentor_who_teaches_it_in_the_same_department() -> None:
    leo = person("leo", can_mentor=True, teaches=("data",), department="Data")
    dana = person("dana", can_mentee=True, learns=("data", "strategy"), level=4, department="Data")
    assert (
        reasons_for([PRIYA, leo, dana])["dana"] == "every mentor who teaches Data & analytics is in the same department"
    )


def test_no_one_more_junior_teaches_it() -> None:
    senior = [person(f"s{k}", can_mentor=True, teaches=("genai",), level=5) for k in range(2)]
    assert reasons_for([*senior, TOM])["tom"] == "no one more junior teaches Generative AI & new tools"
    peers = [replace(s, level=6) for s in senior]
    assert reasons_for([*peers, TOM], rules=MatchRules(allow_equal_levels=True))["tom"] == (
        "no one more junior or at the same level teaches Generative AI & new tools"
    )


@pytest.mark.parametrize(
    ("mentor_changes", "mentee_changes", "past", "expected"),
    [
        ({"manager_id": "tom"}, {}, (), "is in their reporting line"),
        ({}, {"sponsor_id": "priya"}, (), "is their sponsor"),
        ({}, {}, (("tom", "priya"),), "was paired with them before"),
        ({}, {"do_not_match": frozenset({"priya"})}, (), "is excluded by a do-not-match preference"),
        ({"capacity": 0}, {}, (), "has no mentoring capacity this round"),
    ],
)
def test_the_only_mentor_ruled_out_and_why(
    mentor_changes: dict[str, object],
    mentee_changes: dict[str, object],
    past: tuple[tuple[str, str], ...],
    expected: str,
) -> None:
    mentor, mentee = replace(PRIYA, **mentor_changes), replace(TOM, **mentee_changes)  # type: ignore[arg-type]
    reasons = reasons_for([mentor, mentee], past_pairs=past)
    assert reasons["tom"] == f"the only mentor who teaches Generative AI & new tools {expected}"


def test_mixed_reasons_are_tallied() -> None:
    same_dept = person("a", can_mentor=True, teaches=("genai",), department="Finance")
    too_senior = person("b", can_mentor=True, teaches=("genai",), level=5)
    boss = person("c", can_mentor=True, teaches=("genai",))
    tom = replace(TOM, manager_id="c")
    assert reasons_for([same_dept, too_senior, boss, tom])["tom"] == (
        "none of the 3 mentors who teach Generative AI & new tools fit: "
        "1 not more junior, 1 same department, 1 reporting line"
    )


def test_all_suitable_mentors_are_at_capacity() -> None:
    rival = person("rita", can_mentee=True, learns=("genai",), level=5, waiting_since=NOW - timedelta(days=80))
    reasons = reasons_for([PRIYA, TOM, rival])
    assert reasons == {"tom": "all suitable mentors are at capacity (outscored elsewhere)"}


def test_unmatched_mentors_are_told_why_too() -> None:
    nobody = person("nia", can_mentor=True, teaches=("python",), department="IT")
    outscored = person("otto", can_mentor=True, teaches=("genai",), department="Ops", utc_offset_minutes=-480)
    full = person("fay", can_mentor=True, teaches=("genai",), capacity=0)
    quiet = person("quinn", can_mentor=True)
    too_senior = person("sam", can_mentor=True, teaches=("genai",), level=5, department="Sales")
    reasons = reasons_for([PRIYA, TOM, nobody, outscored, full, quiet, too_senior])
    assert reasons == {
        "nia": "nobody wants to learn what they teach (Python)",
        "otto": "everyone they could mentor was matched with a better-fitting mentor (outscored elsewhere)",
        "fay": "has no mentoring capacity this round",
        "quinn": "hasn't listed anything they can teach",
        "sam": "the only person who wants to learn Generative AI & new tools is not more senior",
    }


def test_both_people_left_out_hear_about_both_sides_and_others_about_opting_in() -> None:
    bo = person("bo", can_mentor=True, can_mentee=True, teaches=("social",), learns=("strategy",), level=2)
    idle = person("ida")
    mute = person("mo", can_mentee=True)
    proposal = propose([bo, idle, mute], now=NOW, topic_labels=LABELS)
    assert {u.id: (u.role, u.reason) for u in proposal.unmatched} == {
        "bo": (
            "both",
            "as a mentee, no mentor teaches Strategy; "
            "as a mentor, nobody wants to learn what they teach (Social media)",
        ),
        "ida": ("none", "hasn't opted in as mentor or mentee"),
        "mo": ("mentee", "hasn't said what they want to learn"),
    }


def test_a_mentor_with_room_for_two_gets_a_group() -> None:
    leo = person("leo", can_mentor=True, teaches=("genai", "data"), capacity=2, department="Eng")
    asks = [person(f"m{k}", can_mentee=True, learns=("genai",), level=4, department=f"X{k}") for k in range(3)]
    proposal = propose([leo, *asks], now=NOW)
    assert len(proposal.matches) == 1 and len(proposal.matches[0].mentee_ids) == 2
    assert [p.mentee_id for p in proposal.matches[0].pairs] == list(proposal.matches[0].mentee_ids)
    assert [u.reason for u in proposal.unmatched] == ["all suitable mentors are at capacity (outscored elsewhere)"]


def test_a_both_person_busy_in_the_other_role_is_named_in_the_reason() -> None:
    # Bea could mentor Tom or be mentored by Priya, not both; being Priya's mentee scores more.
    bea = person(
        "bea", can_mentor=True, can_mentee=True, teaches=("social",), learns=("genai",), level=3, utc_offset_minutes=330
    )
    tom = replace(TOM, learns=("social",), utc_offset_minutes=-480, cadence="weekly")
    proposal = propose([replace(PRIYA, cadence="biweekly"), bea, tom], now=NOW, topic_labels=LABELS)
    assert [(m.mentor_id, m.mentee_ids) for m in proposal.matches] == [("priya", ("bea",))]
    assert {u.id: u.reason for u in proposal.unmatched} == {
        "tom": "their only suitable mentor is being mentored this round instead (outscored elsewhere)"
    }


# -- reciprocal: perspective the senior mentee shares back -----------------------------------------------


def test_perspective_the_mentee_shares_back_is_a_smaller_bonus_named_in_the_reasons() -> None:
    labels = {**LABELS, "leadership": "Leadership"}
    priya = replace(PRIYA, wants_back=("leadership", "strategy"))
    plain = pair_score(PRIYA, TOM, now=NOW, topic_labels=labels)
    tom = replace(TOM, gives_back=("strategy", "leadership"))
    scored = pair_score(priya, tom, now=NOW, topic_labels=labels)
    assert plain is not None and scored is not None
    assert points(scored)["reciprocal"] == pytest.approx(FULL["reciprocal"])
    assert scored.score == pytest.approx(plain.score + FULL["reciprocal"])
    assert FULL["reciprocal"] < FULL["topics"] / 2
    assert scored.back_topics == ("leadership", "strategy")  # the mentor's order: what they want most first
    assert scored.reasons[0] == (
        "Priya teaches Generative AI & new tools, which Tom wants to learn, and Tom can share Leadership and "
        "Strategy in return"
    )
    # Only what the mentor wants, weighted by their ranking, counts.
    partly = score_of(replace(priya, wants_back=("leadership", "strategy")), replace(TOM, gives_back=("strategy",)))
    assert points(partly)["reciprocal"] == pytest.approx(FULL["reciprocal"] * 0.7 / 1.7)
    assert points(score_of(PRIYA, tom))["reciprocal"] == 0
    assert "in return" not in score_of(PRIYA, tom).reasons[0]


def test_perspective_never_makes_a_pair_on_its_own_nor_bends_the_junior_mentor_rule() -> None:
    tom = replace(TOM, gives_back=("strategy",))
    no_topic = replace(PRIYA, teaches=("python",), wants_back=("strategy",))
    assert violations(no_topic, tom) == [Constraint.NO_SHARED_TOPIC]
    # A senior who wants perspective back from a junior "mentee" is still not their mentor.
    senior = replace(PRIYA, level=5, wants_back=("strategy",))
    junior = replace(TOM, level=1, gives_back=("strategy",))
    assert violations(senior, junior) == [Constraint.NOT_MORE_JUNIOR]
    assert propose([senior, junior], now=NOW).matches == ()


def test_the_main_direction_outweighs_the_reciprocal_bonus() -> None:
    tom = replace(TOM, learns=("genai", "data"), gives_back=("strategy",))
    covers_all = person("ana", can_mentor=True, teaches=("genai", "data"), department="Data", utc_offset_minutes=60)
    covers_first_gets_back = replace(covers_all, id="bea", name="Bea", teaches=("data",), wants_back=("strategy",))
    both_ways = score_of(covers_first_gets_back, tom)
    one_way = score_of(covers_all, tom)
    assert points(one_way)["topics"] - points(both_ways)["topics"] > points(both_ways)["reciprocal"]
    assert propose([covers_all, covers_first_gets_back, tom], now=NOW).matches[0].mentor_id == "ana"
    # Equal in the main direction, the pair that learns both ways wins.
    twin = replace(covers_all, id="cat", name="Cat", wants_back=("strategy",))
    assert propose([covers_all, twin, tom], now=NOW).matches[0].mentor_id == "cat"


def test_a_junior_who_only_wants_perspective_hears_what_would_match_them() -> None:
    senior = replace(TOM, can_mentee=True, learns=("genai",))
    junior = person("jo", can_mentee=True, learns=("strategy",), wants_back=("strategy",), level=1)
    mentor = person("mo", can_mentor=True, teaches=("genai", "strategy"), level=1)
    proposal = propose([senior, junior, mentor], now=NOW, topic_labels=LABELS)
    reason = {u.id: u.reason for u in proposal.unmatched}["jo"]
    assert reason.startswith("the only mentor who teaches Strategy is not more junior")
    assert 'choose "Both" with `/mentoring edit`' in reason
    assert "senior who shares it in return" in reason
    alone = propose([junior], now=NOW, topic_labels=LABELS).unmatched[0].reason
    assert alone.startswith("no mentor teaches Strategy. In reverse mentoring, perspective like Strategy comes back")
    # Someone who also wants a digital skill gets the usual reason.
    mixed = replace(junior, learns=("strategy", "python"))
    assert "perspective" not in propose([mixed], now=NOW, topic_labels=LABELS).unmatched[0].reason
    # Someone who mentors too hears that the perspective comes with a mentee.
    both = replace(junior, can_mentor=True, teaches=("social",))
    assert propose([both], now=NOW, topic_labels=LABELS).unmatched[0].reason == (
        "as a mentee, no mentor teaches Strategy (in reverse mentoring, perspective like Strategy comes back from "
        "the senior you mentor); as a mentor, nobody wants to learn what they teach (Social media)"
    )
