"""Use cases against a real database (SQLite and PostgreSQL), no HTTP and no Slack: people, rounds and pairs
are written straight to the store, the use case runs, and the tests read back the rows it left."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from bot.config import load_settings
from bot.domain.catalogue import load_catalogue
from bot.domain.outbox import MessageKind
from bot.domain.people import Cadence, Role, Seniority, SignupForm
from bot.usecases.services import Services
from storage.db import session_scope
from storage.models import MatchRound, OutboxMessage, Pairing, Participant
from storage.outbox import recipients
from storage.pairings import NewPair, NewUnmatched, create_round, round_pairings
from storage.participants import SlackIdentity, participants_by_id, upsert_participant

# A Monday, 10:00 UTC: inside the working day of everyone here (they are all on UTC unless a test says not).
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
LEAD = "U0LEAD"
LEADS_CHANNEL = "C0LEADS"
CATALOGUE = load_catalogue()


class Clock:
    """The services' clock: fixed, and moved only by the test that says so."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def services(engine: Engine, clock: Clock) -> Services:
    # Every setting a use case reads is explicit, so a developer's .env or environment can't leak in.
    settings = load_settings(
        env_file=None,
        slack_bot_token=None,
        slack_signing_secret=None,
        slack_app_token=None,
        slack_api_url=None,
        database_url=engine.url.render_as_string(hide_password=False),
        turnabout_leads=LEAD,
        turnabout_leads_channel=LEADS_CHANNEL,
        turnabout_catalogue_file=None,
        turnabout_content_file=None,
        turnabout_retention_days=30,
    )
    return Services(settings=settings, engine=engine, catalogue=CATALOGUE, clock=clock)


@dataclass(frozen=True)
class Sent:
    """An outbox row as the tests compare it, with its recipients in order."""

    key: str
    kind: MessageKind
    users: tuple[str, ...]
    channel: str | None
    not_before: datetime
    status: str
    text: str


class World:
    """Writes people and rounds directly to the store, and reads back what the use cases left there."""

    def __init__(self, services: Services) -> None:
        self.services = services
        self.engine = services.engine

    def join(
        self,
        user_id: str,
        name: str,
        *,
        role: Role,
        capacity: int = 1,
        sponsor_id: str | None = None,
        tz: str = "UTC",
        cadence: Cadence = Cadence.WEEKLY,
        seniority: Seniority = Seniority.SENIOR,
    ) -> None:
        form = SignupForm(
            role=role,
            teach=("genai",) if role in (Role.MENTOR, Role.BOTH) else (),
            learn=("genai",) if role in (Role.MENTEE, Role.BOTH) else (),
            seniority=seniority,
            department="Data",
            cadence=cadence,
            capacity=capacity,
            sponsor_id=sponsor_id,
            consent=True,
        )
        identity = SlackIdentity(user_id=user_id, team_id="T0TEAM", name=name, title="", tz=tz)
        with session_scope(self.engine) as session:
            upsert_participant(session=session, form=form, identity=identity, now=self.services.clock())

    def draft(self, pairs: Sequence[tuple[str, str]], *, unmatched: Iterable[tuple[str, str]] = ()) -> int:
        """A draft round proposing these (mentor, mentee) pairs, as `propose_round` would have stored it."""
        with session_scope(self.engine) as session:
            wishes = {
                p.slack_user_id: p.cadence
                for p in participants_by_id(session=session, user_ids=[u for pair in pairs for u in pair]).values()
            }
            match_round = create_round(
                session=session,
                lead_id=LEAD,
                pairs=[
                    NewPair(
                        mentor,
                        mentee,
                        1.0,
                        ["genai"],
                        ["Shared topic: GenAI"],
                        Cadence.for_pair(wishes.get(mentor), wishes.get(mentee)),
                    )
                    for mentor, mentee in pairs
                ],
                unmatched=[NewUnmatched(user_id, "mentee", reason) for user_id, reason in unmatched],
                total_score=float(len(pairs)),
                now=self.services.clock(),
            )
            assert match_round.id is not None
            return match_round.id

    def match_round(self, round_id: int) -> MatchRound:
        with session_scope(self.engine) as session:
            return session.get_one(MatchRound, round_id)

    def statuses(self, round_id: int) -> dict[tuple[str, str], str]:
        """Each pair of a round and its stored status."""
        with session_scope(self.engine) as session:
            return {(p.mentor_id, p.mentee_id): p.status for p in round_pairings(session=session, round_id=round_id)}

    def pairing(self, pairing_id: int) -> Pairing:
        with session_scope(self.engine) as session:
            return session.get_one(Pairing, pairing_id)

    def pairing_ids(self, round_id: int) -> list[int]:
        with session_scope(self.engine) as session:
            return [p.id for p in round_pairings(session=session, round_id=round_id) if p.id is not None]

    def person(self, user_id: str) -> Participant:
        with session_scope(self.engine) as session:
            return session.exec(select(Participant).where(col(Participant.slack_user_id) == user_id)).one()

    def outbox(self, *kinds: MessageKind) -> list[Sent]:
        """The outbox in insertion order, optionally only some kinds."""
        with session_scope(self.engine) as session:
            query = select(OutboxMessage).order_by(col(OutboxMessage.id))
            if kinds:
                query = query.where(col(OutboxMessage.kind).in_(list(kinds)))
            return [
                Sent(
                    key=row.key,
                    kind=row.kind,
                    users=tuple(recipients(session=session, message_id=row.id or 0)),
                    channel=row.target_channel,
                    not_before=row.not_before,
                    status=row.status,
                    text=row.text,
                )
                for row in session.exec(query)
            ]

    def told(self, kind: MessageKind) -> list[str]:
        """Everyone a message of this kind is addressed to, sorted."""
        return sorted(user for sent in self.outbox(kind) for user in sent.users)


@pytest.fixture
def world(services: Services) -> World:
    return World(services)
