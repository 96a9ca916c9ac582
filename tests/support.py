"""Helpers for end-to-end tests: sign people up through the real modal, read what was stored."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bot.blocks import ids
from bot.domain.matching import Candidate
from bot.sandbox.fake_slack import FakeUserActor
from bot.sandbox.local import LocalBot
from bot.sandbox.roster import LEAD
from storage.db import session_scope
from storage.models import Participant
from storage.participants import get_participant

# A Monday morning in working hours from Kolkata to Berlin: the start of the timed journeys' clock.
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def stored(bot: LocalBot, user_id: str) -> Participant | None:
    with session_scope(bot.services.engine) as session:
        return get_participant(session=session, user_id=user_id)


MENTOR_ANSWERS: dict[str, Any] = {
    "role": "mentor",
    "teach": ["genai", "data_analytics"],
    "seniority": "early_career",
    "department": "Data",
    "cadence": "biweekly",
    "capacity": "2",
    "goals": "Help leaders get hands-on with AI tools",
    "consent": ["yes"],
}


def join(person: FakeUserActor, answers: dict[str, Any] | None = None) -> None:
    """Sign someone up through the real slash command and modal."""
    person.slash("/mentoring", "join")
    assert person.modal is not None, "the sign-up modal did not open"
    result = person.submit(answers or MENTOR_ANSWERS)
    assert result.closed, f"sign-up refused: {result.errors}"


ROOT = Path(__file__).parents[1]


def run(*args: str, env: dict[str, str] | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "TURNABOUT_", "DATABASE_URL"))}
    base["PYTHONPATH"] = str(ROOT)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        env={**base, **(env or {})},
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def seed(bot: LocalBot, user_id: str, **answers: Any) -> None:
    """Put someone in the pool directly (sign-up itself is tested through the real modal elsewhere)."""
    from bot.domain.people import Cadence, Role, Seniority, SignupForm
    from bot.sandbox.roster import PEOPLE
    from storage.participants import SlackIdentity, upsert_participant

    person = next(p for p in PEOPLE if p.id == user_id)
    form = SignupForm(
        role=Role(answers.get("role", "mentee")),
        teach=tuple(answers.get("teach", ())),
        learn=tuple(answers.get("learn", ())),
        seniority=Seniority(answers.get("seniority", "senior")),
        department=answers["department"],
        cadence=Cadence(answers.get("cadence", "biweekly")),
        capacity=answers.get("capacity", 1),
        sponsor_id=answers.get("sponsor"),
        manager_id=answers.get("manager"),
        goals=answers.get("goals", ""),
        consent=True,
    )
    identity = SlackIdentity(
        user_id=user_id, team_id="T0TURNABT", name=person.real_name, title=person.title, tz=person.tz
    )
    with session_scope(bot.services.engine) as session:
        upsert_participant(session=session, form=form, identity=identity, now=bot.services.clock())


def seed_pool(bot: LocalBot) -> None:
    """Three mentors (Leo can take two), four mentees, and Kwame whom nobody can teach."""
    seed(bot, "U0PRIYA", role="mentor", teach=["genai", "data_analytics"], seniority="early_career", department="Data")
    seed(bot, "U0AMARA", role="mentor", teach=["social_media"], seniority="early_career", department="Marketing")
    seed(
        bot,
        "U0LEO",
        role="mentor",
        teach=["collaboration_tools", "security_hygiene"],
        seniority="early_career",
        department="Engineering",
        capacity=2,
    )
    seed(bot, "U0TOM", learn=["genai"], seniority="executive", department="Finance", sponsor="U0OLIVER")
    seed(bot, "U0DIANE", learn=["social_media"], seniority="executive", department="Operations")
    seed(bot, "U0MARGARET", learn=["collaboration_tools"], seniority="director", department="Sales")
    seed(bot, "U0RAJESH", learn=["security_hygiene"], seniority="director", department="Legal")
    seed(bot, "U0KWAME", learn=["strategy"], seniority="manager", department="Customer Success")


# A fixed moment for matching tests, so waiting times (and so scores) never depend on when tests run.
MATCH_NOW = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def candidate(pid: str, **changes: object) -> Candidate:
    """A matching candidate who is neither mentor nor mentee until `changes` say so."""
    base: dict[str, object] = dict(
        id=pid,
        name=pid.capitalize(),
        can_mentor=False,
        can_mentee=False,
        teaches=(),
        learns=(),
        level=0,
        department="D-" + pid,
        waiting_since=MATCH_NOW - timedelta(days=10),
    )
    base.update(changes)
    return Candidate(**base)  # type: ignore[arg-type]


def proposed_round(bot: LocalBot) -> FakeUserActor:
    """The sample pool, matched by the lead, the draft waiting for review; returns the lead."""
    seed_pool(bot)
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "match")
    bot.settle()
    return lead


def approved_round(bot: LocalBot) -> FakeUserActor:
    """The sample pool, matched and approved by the lead; returns the lead."""
    lead = proposed_round(bot)
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()
    return lead
