"""What program leads see and take away: the program at a glance, the three measures, every pair (paged, worst
first), the charts, the CSV export and the monthly digest.

Like Home, charts and exports talk to Slack themselves (files are uploaded, not queued as messages): a chart is
a file the Home tab and the report refer to by id, and an export is an answer to the lead who asked for it.
The digest is a message like any other and goes through the outbox.
"""

from __future__ import annotations

import csv
import hashlib
import json
import logging
import tempfile
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import IO, Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackClientError
from sqlalchemy.exc import IntegrityError

from bot.blocks import charts as pictures
from bot.blocks import leads as views
from bot.domain import measures
from bot.domain.goals import skills_learned
from bot.domain.measures import ChartRef, Charts, Measures, MonthChange, Overview, PairPage
from bot.domain.momentum.state import Standing
from bot.domain.timezones import to_local
from bot.usecases import membership
from bot.usecases.services import Services
from storage import leads as queries
from storage.db import session_scope
from storage.leads import PairFilter
from storage.models import ChartFile
from storage.outbox import Draft, deliveries, enqueue_many
from storage.participants import participants_by_id
from storage.surveys import recommend_counts

log = logging.getLogger(__name__)

PER_PAGE = 20
CHART_WEEKS = 12
SATISFACTION_MONTHS = 6
FREQUENCY_DAYS = 90
DIGEST_PAIRS = 10
# The digest goes out on the first workday of the month, in working hours where the program is run from.
DIGEST_HOURS = (time(9), time(17))


@dataclass(frozen=True)
class LeadView:
    overview: Overview
    measures: Measures
    pairs: PairPage
    charts: Charts


def overview(services: Services) -> Overview:
    now = services.clock()
    today = now.date()
    month = today.replace(day=1)
    last = measures.previous_month(today)
    with session_scope(services.engine, read_only=True) as session:
        return Overview(
            counts=queries.standing_counts(session=session, now=now),
            waiting=queries.people_waiting(session=session, now=now),
            members=queries.members(session=session),
            sessions_this_month=queries.sessions_between(session=session, start=month, end=today + timedelta(days=1)),
            sessions_last_month=queries.sessions_between(session=session, start=last, end=month),
            sessions_last_month_to_date=queries.sessions_between(
                session=session, start=last, end=min(month, _same_day(last, today.day) + timedelta(days=1))
            ),
        )


def _same_day(month_start: date, day: int) -> date:
    """`day` of `month_start`'s month, or its last day when the month is shorter."""
    for candidate in range(day, 27, -1):
        try:
            return month_start.replace(day=candidate)
        except ValueError:
            continue
    return month_start.replace(day=min(day, 28))


def _month_start(now: datetime) -> datetime:
    return datetime.combine(now.date().replace(day=1), time(), UTC)


def program_measures(services: Services) -> Measures:
    now = services.clock()
    end = now.date() + timedelta(days=1)
    start = end - timedelta(days=FREQUENCY_DAYS)
    with session_scope(services.engine, read_only=True) as session:
        spans = queries.spans_between(
            session=session, start=datetime.combine(start, time(), UTC), end=datetime.combine(end, time(), UTC)
        )
        held = queries.sessions_per_pair(session=session, start=start, end=end)
        # Closed months only, each with enough answers: a live figure next to each pair's answered count would
        # let a lead work out who answered what.
        counts = queries.satisfaction_counts(
            session=session, before=_month_start(now), min_per_month=measures.MIN_ANSWERS
        )
        recommend = recommend_counts(session=session)
        skills = skills_learned(queries.skills_counts(session=session, now=now))
    return Measures(
        satisfaction=measures.satisfaction(counts),
        frequency=measures.meeting_frequency(spans, held, start=start, end=end),
        recommendation=measures.recommendation(recommend),
        skills=[replace(f, topic=services.catalogue.label(f.topic)) for f in skills],
    )


def pair_page(services: Services, *, pair_filter: PairFilter, page: int) -> PairPage:
    """One page of pairs; a page out of range shows the first or the last."""
    now = services.clock()
    with session_scope(services.engine, read_only=True) as session:
        total = queries.count_pairs(session=session, now=now, pair_filter=pair_filter)
        page = measures.clamp_page(page, total, PER_PAGE)
        rows = queries.pair_page(
            session=session, now=now, pair_filter=pair_filter, offset=(page - 1) * PER_PAGE, limit=PER_PAGE
        )
        ids = {u for r in rows for u in (r.mentor_id, r.mentee_id)}
        names = {k: v.name or k for k, v in participants_by_id(session=session, user_ids=ids).items()}
    return PairPage(pair_filter.value, page, measures.pages(total, PER_PAGE), total, rows, names, PER_PAGE)


def lead_view(services: Services, client: WebClient, *, pair_filter: PairFilter, page: int) -> LeadView:
    summary = overview(services)
    return LeadView(
        overview=summary,
        measures=program_measures(services),
        pairs=pair_page(services, pair_filter=pair_filter, page=page),
        charts=charts(services, client) if summary.active else Charts(empty=True),
    )


# --- charts ---


@dataclass(frozen=True)
class ChartData:
    """The numbers behind the three charts; their digest decides whether a chart is drawn and uploaded again."""

    weeks: list[date]
    held: list[int]
    expected: list[float]
    mixes: list[Counter[Standing]]
    months: list[date]
    means: list[float | None]
    answers: list[int]

    def digests(self) -> dict[str, str]:
        def digest(value: Any) -> str:
            return hashlib.sha256(json.dumps(value, default=str, sort_keys=True).encode()).hexdigest()

        return {
            "sessions-per-week.png": digest([self.weeks, self.held, [round(e, 3) for e in self.expected]]),
            "momentum-mix.png": digest([self.weeks, [{str(k): v for k, v in m.items()} for m in self.mixes]]),
            "satisfaction.png": digest([self.months, self.means, self.answers]),
        }


CHART_NAMES = ("sessions-per-week.png", "momentum-mix.png", "satisfaction.png")


def chart_data(services: Services) -> ChartData:
    """All three charts' numbers from grouped queries over the charts' window, never the whole history."""
    now = services.clock()
    today = now.date()
    weeks = measures.week_starts(today, CHART_WEEKS)
    start, end = weeks[0], today + timedelta(days=1)
    # Closed months only (see `program_measures`): the current one would show a running mean.
    months = measures.month_starts(measures.previous_month(today), SATISFACTION_MONTHS)
    with session_scope(services.engine, read_only=True) as session:
        spans = queries.spans_between(
            session=session, start=datetime.combine(start, time(), UTC), end=datetime.combine(end, time(), UTC)
        )
        per_day = queries.sessions_per_day(session=session, start=start, end=end)
        last_before = queries.last_session_before(session=session, before=start)
        held_days = queries.session_days_from(session=session, start=start)
        buckets = queries.satisfaction_by_bucket(
            session=session, starts=[datetime.combine(m, time(), UTC) for m in months], before=_month_start(now)
        )
    held = [sum(n for day, n in per_day.items() if week <= day < week + timedelta(days=7)) for week in weeks]
    expected = [measures.expected_per_week(spans, week) for week in weeks]
    # Each week's mix as of its last day (today for the current week).
    ends = [min(week + timedelta(days=6), today) for week in weeks]
    mixes = measures.mix_over_time(spans, days=ends, last_before=last_before, held=held_days)
    means = [total / n if n >= measures.MIN_ANSWERS else None for n, total in buckets]
    return ChartData(weeks, held, expected, mixes, months, means, [n for n, _ in buckets])


def draw(data: ChartData, only: Sequence[str] | None = None) -> list[pictures.Picture]:
    """Draw the charts named in `only` (all three by default): about 0.1-0.2 s each."""
    painters: dict[str, Callable[[], pictures.Picture]] = {
        "sessions-per-week.png": lambda: pictures.sessions_chart(data.weeks, data.held, data.expected),
        "momentum-mix.png": lambda: pictures.mix_chart(data.weeks, data.mixes),
        "satisfaction.png": lambda: pictures.satisfaction_chart(data.months, data.means, data.answers),
    }
    return [paint() for name, paint in painters.items() if only is None or name in only]


def charts(services: Services, client: WebClient) -> Charts:
    """The three charts as uploaded files, drawn and uploaded again only when their numbers changed. When nothing
    they are drawn from has changed since (same day, same sessions, check-ins and pairs), the numbers aren't even
    recomputed."""
    with session_scope(services.engine, read_only=True) as session:
        sources = f"{services.clock().date()}|{queries.chart_sources(session=session)}"
        stored = {name: session.get(ChartFile, name) for name in CHART_NAMES}
        known = {name: (row.digest, row.file_id, row.title, row.alt_text) for name, row in stored.items() if row}
    if all(row is not None and row.sources == sources and row.file_id for row in stored.values()):
        return Charts(shown=[ChartRef(name, known[name][2], known[name][3], known[name][1]) for name in CHART_NAMES])
    data = chart_data(services)
    digests = data.digests()
    shown: list[ChartRef] = []
    refused: str | None = None
    changed = [name for name, digest in digests.items() if name not in known or known[name][0] != digest]
    drawn = {p.name: p for p in draw(data, only=changed)}
    for name, digest in digests.items():
        if name not in changed:
            _, file_id, title, alt_text = known[name]
            shown.append(ChartRef(name, title, alt_text, file_id))
            with session_scope(services.engine) as session:
                row = session.get(ChartFile, name)
                if row is not None:
                    row.sources = sources
                    session.add(row)
            continue
        picture = drawn[name]
        try:
            response = client.files_upload_v2(
                content=picture.png, filename=picture.name, title=picture.title, alt_txt=picture.alt_text[:1000]
            )
            file_id = str(response["file"]["id"])
        except (SlackClientError, OSError) as exc:  # OSError: the upload URL timed out or the network failed
            refused = _slack_error(exc)
            log.warning("could not upload the chart %s: %s", name, refused)
            shown.append(ChartRef(name, picture.title, picture.alt_text, None))
            continue
        _remember(services, name, picture, digest=digest, file_id=file_id, sources=sources)
        shown.append(ChartRef(name, picture.title, picture.alt_text, file_id))
    return Charts(shown=shown, refused=refused)


def _remember(
    services: Services, name: str, picture: pictures.Picture, *, digest: str, file_id: str, sources: str
) -> None:
    """Record an uploaded chart. Two processes (a lead's Home and the digest) may upload the same chart at once:
    whichever records it last wins, and both files show the same numbers."""
    for _ in range(2):
        try:
            with session_scope(services.engine) as session:
                row = session.get(ChartFile, name) or ChartFile(
                    name=name, digest=digest, file_id=file_id, uploaded_at=services.clock()
                )
                row.digest, row.file_id, row.uploaded_at = digest, file_id, services.clock()
                row.title, row.alt_text, row.sources = picture.title, picture.alt_text, sources
                session.add(row)
            return
        except IntegrityError:
            continue  # the other inserted it first: update theirs


def forget_charts(services: Services) -> None:
    """Drop what is known of the uploaded charts, so the next view draws and uploads them afresh (Slack refused to
    show one: deleted by a retention policy, or not visible)."""
    with session_scope(services.engine) as session:
        for name in CHART_NAMES:
            row = session.get(ChartFile, name)
            if row is not None:
                session.delete(row)


def _slack_error(exc: Exception) -> str:
    response = getattr(exc, "response", None)
    if response is not None:
        return str(response.get("error", "unknown_error"))
    return "upload_failed"


# --- export ---

PAIR_COLUMNS = (
    "pair_id",
    "cycle",
    "round",
    "mentor",
    "mentee",
    "mentor_department",
    "mentee_department",
    "state",
    "started",
    "sessions",
    "last_session",
    "next_session",
    "cancellations",
    "checkins_answered",
    "ended",
)
SESSION_COLUMNS = ("pair_id", "mentor", "mentee", "date", "logged_by")


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        # "2027-03-15 10:00": spreadsheets read it as a date and time (the T of full ISO 8601 they don't); UTC, as
        # the export's message says.
        return f"{value.astimezone(UTC):%Y-%m-%d %H:%M}"
    if isinstance(value, date):
        return value.isoformat()
    return measures.spreadsheet_safe(str(value))


def _write_csv(target: IO[str], header: tuple[str, ...], rows: Iterator[tuple[object, ...]]) -> int:
    writer = csv.writer(target, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([_cell(v) for v in row])
        count += 1
    return count


@dataclass(frozen=True)
class Exported:
    pairs: int
    sessions: int
    error: str | None = None  # Slack's, when the files could not be sent


def export(services: Services, client: WebClient, *, lead_id: str) -> Exported:
    """Two CSV files in the lead's DM: one row per active pair, and every session. Written to temporary files
    as the rows stream out of the database (never the whole program in memory), UTF-8 with a byte-order mark so
    spreadsheets read names right, ISO dates, and no cell a spreadsheet would run as a formula. Never the text of
    a check-in or a note."""
    now = services.clock()
    stamp = f"{to_local(now, 'UTC'):%Y-%m-%d}"
    with (
        tempfile.NamedTemporaryFile("w+", encoding="utf-8-sig", newline="", suffix=".csv") as pairs_file,
        tempfile.NamedTemporaryFile("w+", encoding="utf-8-sig", newline="", suffix=".csv") as sessions_file,
    ):
        with session_scope(services.engine, read_only=True) as session:
            pair_count = _write_csv(
                pairs_file,
                PAIR_COLUMNS,
                (
                    (
                        p.pairing_id,
                        p.cycle,
                        p.round_id,
                        p.mentor_name,
                        p.mentee_name,
                        p.mentor_department,
                        p.mentee_department,
                        p.state,
                        p.started.date() if p.started else None,
                        p.sessions,
                        p.last_session,
                        p.next_session,
                        p.cancellations,
                        p.checkins_answered,
                        p.ended.date() if p.ended else None,
                    )
                    for p in queries.export_pairs(session=session, now=now)
                ),
            )
            session_count = _write_csv(
                sessions_file,
                SESSION_COLUMNS,
                (
                    (s.pairing_id, s.mentor_name, s.mentee_name, s.held_on, s.logged_by_name)
                    for s in queries.export_sessions(session=session)
                ),
            )
        pairs_file.flush()
        sessions_file.flush()
        try:
            channel = client.conversations_open(users=lead_id)["channel"]["id"]
            client.files_upload_v2(
                channel=channel,
                initial_comment=views.export_comment(pairs=pair_count, sessions=session_count, on=now.date()),
                file_uploads=[
                    {"file": pairs_file.name, "filename": f"turnabout-pairs-{stamp}.csv", "title": "Pairs"},
                    {"file": sessions_file.name, "filename": f"turnabout-sessions-{stamp}.csv", "title": "Sessions"},
                ],
            )
        except SlackClientError as exc:
            error = _slack_error(exc)
            log.warning("could not send the export to %s: %s", lead_id, error)
            return Exported(pair_count, session_count, error)
    return Exported(pair_count, session_count)


# --- the monthly digest ---


def digest_due(services: Services, now: datetime) -> bool:
    """On the month's first workday, in working hours where the program is run from. Only that day: a digest a
    week late (or a program started mid-month getting last month's) would be news nobody asked for."""
    local = to_local(now, services.settings.turnabout_program_tz)
    first = measures.first_workday(local.year, local.month)
    return local.date() == first and DIGEST_HOURS[0] <= local.time() < DIGEST_HOURS[1]


def month_change(services: Services, *, since: datetime) -> MonthChange:
    """New, lapsed and recovered pairs between `since` and now, each pair judged by its sessions at both moments
    (as the momentum chart is)."""
    now = services.clock()
    with session_scope(services.engine, read_only=True) as session:
        spans = queries.spans_between(session=session, start=now - timedelta(seconds=1), end=now)
        last_then = queries.last_session_before(session=session, before=since.date())
        last_now = queries.last_session_before(session=session, before=now.date() + timedelta(days=1))
    then_day, today = since.date() - timedelta(days=1), now.date()
    then: dict[int, Standing] = {}
    current: dict[int, Standing] = {}
    for span in spans:
        current[span.pairing_id] = measures.standing_on(today, span, last_now.get(span.pairing_id))
        if span.active_on(then_day):
            then[span.pairing_id] = measures.standing_on(then_day, span, last_then.get(span.pairing_id))
    return measures.month_change(then, current)


def queue_digest(services: Services, client: WebClient, *, now: datetime) -> list[str]:
    """The monthly digest to the leads, once a month (its key is the month), when it is due. A program without
    pairs gets no digest: there is nothing to report yet (the leads' Home tab shows who is waiting)."""
    if not services.settings.turnabout_leads or not digest_due(services, now):
        return []
    local = to_local(now, services.settings.turnabout_program_tz)
    key = f"digest:{local:%Y-%m}"
    # Checked first and cheaply: the sweep asks every few minutes all month long.
    addressed = [d.key for d in membership.lead_drafts(services, key=key, text="")]
    with session_scope(services.engine, read_only=True) as session:
        if len(deliveries(session=session, keys=addressed)) == len(addressed):
            return []
    summary = overview(services)
    if not summary.active:
        return []
    # Since the start of the month the digest is about.
    change = month_change(services, since=datetime.combine(measures.previous_month(local.date()), time(), UTC))
    attention = pair_page(services, pair_filter=PairFilter.ATTENTION, page=1)
    drawn = charts(services, client)
    month = measures.previous_month(local.date())
    with session_scope(services.engine, read_only=True) as session:
        held = queries.sessions_between(session=session, start=month, end=local.date().replace(day=1))
        before = queries.sessions_between(session=session, start=measures.previous_month(month), end=month)
    text, blocks = views.digest(
        month=month,
        sessions=(held, before),
        overview=summary,
        measures=program_measures(services),
        change=change,
        attention=attention,
        charts=drawn,
        limit=DIGEST_PAIRS,
    )
    drafts: list[Draft] = membership.lead_drafts(services, key=key, text=text, blocks=blocks)
    with session_scope(services.engine) as session:
        return sorted(enqueue_many(session=session, drafts=drafts, now=now))
