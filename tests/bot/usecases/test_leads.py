"""The leads' figures on both databases: states counted and ordered in SQL, measures, cancellations, the export."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from sqlmodel import select

from bot.domain.momentum import MomentumState
from bot.domain.momentum.state import Standing
from bot.domain.people import Role, Status
from bot.domain.scheduling import BookingStatus
from bot.usecases import leads, reports
from bot.usecases.services import Services
from storage.db import session_scope
from storage.leads import PairFilter, pairs_cancelling_in_a_row
from storage.models import Booking, CheckIn, Pairing, Participant
from storage.pairings import activate_round, end_pairing, log_session
from tests.bot.usecases.conftest import NOW, Clock, World


class Uploads:
    """Stands in for Slack's client: keeps what the export uploads (the files are gone once it returns)."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def conversations_open(self, users: str) -> dict[str, Any]:
        return {"channel": {"id": f"D{users}"}}

    def files_upload_v2(self, *, file_uploads: list[dict[str, str]], **_: Any) -> dict[str, Any]:
        for upload in file_uploads:
            self.files[upload["filename"]] = Path(upload["file"]).read_bytes()
        return {"ok": True}


def program(world: World, services: Services, clock: Clock) -> dict[str, int]:
    """Three pairs matched 40 days ago: one lapsed after a session and two cancellations, one with its mentee
    paused, one never met; and one person waiting."""
    for user_id, name, role in (
        ("U0M1", "Ana", Role.MENTOR),
        ("U0M2", "Bo", Role.MENTOR),
        ("U0M3", "=Cy", Role.MENTOR),
        ("U0E1", "Dee", Role.MENTEE),
        ("U0E2", "Eve", Role.MENTEE),
        ("U0E3", "Fay", Role.MENTEE),
        ("U0W1", "Gus", Role.MENTEE),
    ):
        world.join(user_id, name, role=role)
    clock.now = NOW - timedelta(days=40)
    round_id = world.draft([("U0M1", "U0E1"), ("U0M2", "U0E2"), ("U0M3", "U0E3")])
    with session_scope(services.engine) as session:
        activate_round(session=session, round_id=round_id, now=clock.now)
        ids = {p.mentee_id: p.id or 0 for p in session.exec(select(Pairing))}
        log_session(
            session=session,
            pairing_id=ids["U0E1"],
            held_on=date(2026, 1, 22),
            by="U0E1",
            note="private",
            now=clock.now + timedelta(days=1),
        )
        first = session.get_one(Pairing, ids["U0E1"])
        first.momentum, first.last_session_at = MomentumState.LAPSED, clock.now + timedelta(days=1)
        session.add(first)
        for n in range(2):
            at = clock.now + timedelta(days=3 + n)
            session.add(
                Booking(
                    pairing_id=ids["U0E1"],
                    mentee_ids=["U0E1"],
                    starts_at=at,
                    minutes=30,
                    booked_by="U0E1",
                    status=BookingStatus.CANCELLED,
                    created_at=at,
                    updated_at=at,
                )
            )
        eve = session.exec(select(Participant).where(Participant.slack_user_id == "U0E2")).one()
        eve.status, eve.paused_until = Status.PAUSED, NOW + timedelta(days=7)
        session.add(eve)
        for n, value in enumerate((5, 4, 4)):
            session.add(
                CheckIn(
                    prompt_id=n + 1,
                    pairing_id=ids["U0E1"],
                    user_id="U0E1",
                    met="all",
                    value=value,
                    learned="my private words",
                    answered_at=NOW - timedelta(days=5 + n),
                )
            )
    clock.now = NOW
    return ids


def test_states_are_counted_and_ordered_worst_first_in_sql(world: World, services: Services, clock: Clock) -> None:
    program(world, services, clock)
    summary = leads.overview(services)
    assert dict(summary.counts) == {Standing.LAPSED: 1, Standing.PAUSED: 1, Standing.NOT_STARTED: 1}
    assert summary.waiting == 1
    everyone = leads.pair_page(services, pair_filter=PairFilter.ALL, page=1)
    assert [(r.mentee_id, r.standing) for r in everyone.rows] == [
        ("U0E1", Standing.LAPSED),
        ("U0E3", Standing.NOT_STARTED),
        ("U0E2", Standing.PAUSED),
    ]
    assert (everyone.rows[0].sessions, everyone.rows[0].cancellations) == (1, 2)
    attention = leads.pair_page(services, pair_filter=PairFilter.ATTENTION, page=1)
    assert [r.mentee_id for r in attention.rows] == ["U0E1", "U0E3"], "paused pairs need no lead"
    assert [r.mentee_id for r in leads.pair_page(services, pair_filter=PairFilter.NOT_STARTED, page=1).rows] == ["U0E3"]
    with session_scope(services.engine) as session:
        assert pairs_cancelling_in_a_row(session=session, at_least=2) == 1
    figures = leads.program_measures(services)
    assert (figures.satisfaction.answers, figures.satisfaction.mean) == (3, 13 / 3)
    text, _ = reports.program_report(services)
    assert text.startswith("Reverse mentoring")


def test_the_export_streams_every_pair_and_session_without_private_words(
    world: World, services: Services, clock: Clock
) -> None:
    ids = program(world, services, clock)
    with session_scope(services.engine) as session:
        end_pairing(session=session, pairing=session.get_one(Pairing, ids["U0E2"]), by="U0LEAD", now=NOW)
    client = Uploads()
    exported = leads.export(services, client, lead_id="U0LEAD")  # type: ignore[arg-type]
    assert (exported.pairs, exported.sessions, exported.error) == (3, 1, None), "ended pairs too"
    pairs = list(csv.DictReader(io.StringIO(client.files["turnabout-pairs-2026-03-02.csv"].decode("utf-8-sig"))))
    assert [(p["mentor"], p["state"], p["cancellations"], p["checkins_answered"]) for p in pairs] == [
        ("Ana", "lapsed", "2", "3"),
        ("Bo", "ended", "0", "0"),
        ("'=Cy", "not_started", "0", "0"),
    ]
    assert [p["ended"] for p in pairs] == ["", "2026-03-02", ""]
    sessions = client.files["turnabout-sessions-2026-03-02.csv"].decode("utf-8-sig")
    assert "2026-01-22,Dee" in sessions
    assert b"private" not in b"".join(client.files.values())


def test_a_group_booking_called_off_counts_for_the_mentees_it_was_for(
    world: World, services: Services, clock: Clock
) -> None:
    world.join("U0M1", "Ana", role=Role.MENTOR, capacity=2)
    world.join("U0E1", "Dee", role=Role.MENTEE)
    world.join("U0E2", "Eve", role=Role.MENTEE)
    round_id = world.draft([("U0M1", "U0E1"), ("U0M1", "U0E2")])
    with session_scope(services.engine) as session:
        activate_round(session=session, round_id=round_id, now=clock.now)
        anchor = session.exec(select(Pairing).where(Pairing.mentee_id == "U0E1")).one()
        for status in (BookingStatus.CANCELLED, BookingStatus.MISSED):  # both Eve's, filed under Dee's pairing
            session.add(
                Booking(
                    pairing_id=anchor.id or 0,
                    mentee_ids=["U0E2"],
                    starts_at=NOW,
                    minutes=30,
                    booked_by="U0M1",
                    status=status,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
    rows = leads.pair_page(services, pair_filter=PairFilter.ALL, page=1).rows
    assert {r.mentee_id: r.cancellations for r in rows} == {"U0E1": 0, "U0E2": 2}
    client = Uploads()
    leads.export(services, client, lead_id="U0LEAD")  # type: ignore[arg-type]
    pairs = list(csv.DictReader(io.StringIO(client.files["turnabout-pairs-2026-03-02.csv"].decode("utf-8-sig"))))
    assert {p["mentee"]: p["cancellations"] for p in pairs} == {"Dee": "0", "Eve": "2"}
