"""Goals, confidence and the skills-learned aggregate on real SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine
from sqlmodel import select

from bot.domain.cycles import ConfidenceStage
from bot.domain.goals import ConfidenceAnswer, latest_after
from storage.db import session_scope
from storage.goals import goals_of, replace_goals, save_signup_confidence, signup_confidence
from storage.leads import skills_counts
from storage.models import Confidence, Goal, MatchRound, Pairing, PairingStatus

NOW = datetime(2027, 6, 1, 9, 0, tzinfo=UTC)


def pair(engine: Engine, mentor: str, mentee: str) -> int:
    with session_scope(engine) as session:
        match_round = MatchRound(lead_id="U0HANA", created_at=NOW)
        session.add(match_round)
        session.flush()
        assert match_round.id is not None
        pairing = Pairing(
            round_id=match_round.id, mentor_id=mentor, mentee_id=mentee, status=PairingStatus.ACTIVE, created_at=NOW
        )
        session.add(pairing)
        session.flush()
        assert pairing.id is not None
        return pairing.id


def test_editing_goals_replaces_them_and_leaves_the_partners(engine: Engine) -> None:
    pid = pair(engine, "U0PRIYA", "U0TOM")
    with session_scope(engine) as session:
        replace_goals(session=session, pairing_id=pid, owner_id="U0TOM", texts=["a", "b", "c"], now=NOW)
        replace_goals(session=session, pairing_id=pid, owner_id="U0PRIYA", texts=["learn back"], now=NOW)
    with session_scope(engine) as session:
        replace_goals(session=session, pairing_id=pid, owner_id="U0TOM", texts=["b2", "a"], now=NOW)
    with session_scope(engine) as session:
        assert goals_of(session=session, pairing_ids=[pid]) == {pid: {"U0PRIYA": ["learn back"], "U0TOM": ["b2", "a"]}}
        assert len(list(session.exec(select(Goal)))) == 3


def test_answering_confidence_again_replaces_the_baseline(engine: Engine) -> None:
    with session_scope(engine) as session:
        save_signup_confidence(session=session, user_id="U0TOM", ratings={"genai": 2, "data_analytics": 3}, now=NOW)
    with session_scope(engine) as session:
        save_signup_confidence(session=session, user_id="U0TOM", ratings={"genai": 4}, now=NOW)
    with session_scope(engine) as session:
        assert signup_confidence(session=session, user_id="U0TOM") == {"genai": 4}
        rows = list(session.exec(select(Confidence)))
        assert [(r.topic, r.stage, r.cycle_id, r.value) for r in rows] == [("genai", "signup", 0, 4)]


def test_skills_learned_counts_mentees_whose_latest_answer_rose(engine: Engine) -> None:
    for mentee in ("U0TOM", "U0DIANE", "U0RAJESH", "U0MARGARET"):
        pair(engine, "U0PRIYA", mentee)
    day = timedelta(days=1)
    # (user, topic, stage, cycle, value, when)
    rows = [
        ("U0TOM", "genai", ConfidenceStage.SIGNUP, 0, 2, NOW - 90 * day),
        ("U0TOM", "genai", ConfidenceStage.MIDPOINT, 1, 3, NOW - 45 * day),
        ("U0TOM", "genai", ConfidenceStage.CLOSEOUT, 1, 2, NOW - 2 * day),  # latest: back to where he started
        ("U0DIANE", "genai", ConfidenceStage.SIGNUP, 0, 1, NOW - 90 * day),
        ("U0DIANE", "genai", ConfidenceStage.MIDPOINT, 1, 4, NOW - 45 * day),
        ("U0RAJESH", "genai", ConfidenceStage.SIGNUP, 0, 3, NOW - 90 * day),
        ("U0RAJESH", "genai", ConfidenceStage.CLOSEOUT, 1, 5, NOW - 1 * day),
        ("U0RAJESH", "genai", ConfidenceStage.CLOSEOUT, 2, 1, NOW + 30 * day),  # not answered yet as of NOW
        ("U0MARGARET", "data_analytics", ConfidenceStage.SIGNUP, 0, 2, NOW - 90 * day),  # no later answer
        ("U0PRIYA", "strategy", ConfidenceStage.SIGNUP, 0, 1, NOW - 90 * day),  # a mentor: not a mentee's figure
        ("U0PRIYA", "strategy", ConfidenceStage.MIDPOINT, 1, 5, NOW - 45 * day),
    ]
    with session_scope(engine) as session:
        for user, topic, stage, cycle, value, when in rows:
            session.add(
                Confidence(user_id=user, topic=topic, stage=stage, cycle_id=cycle, value=value, answered_at=when)
            )
    with session_scope(engine) as session:
        counts = skills_counts(session=session, now=NOW)
    assert counts == {"genai": (3, 2)}
    # The same rule in plain Python, as an oracle for the query.
    pure = latest_after(
        (ConfidenceAnswer(u, t, s is ConfidenceStage.SIGNUP, v, w) for u, t, s, _, v, w in rows if u != "U0PRIYA"),
        now=NOW,
    )
    assert {t for _, t in pure} == {"genai"}
    assert sum(after > before for before, after in pure.values()) == 2 and len(pure) == 3
