"""The leads' view end to end: Home with the program at a glance and every pair, the report, the charts, the
CSV export and the monthly digest, through the fake Slack (uploads are Slack's v2 flow)."""

from __future__ import annotations

import csv
import io
import json
import time
import urllib.parse
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from PIL import Image
from sqlmodel import select

from bot.blocks import ids
from bot.domain.rounds import PairingStatus, RoundStatus
from bot.sandbox.clock import SimClock
from bot.sandbox.local import LocalBot
from bot.sandbox.roster import LEAD, LEADS_CHANNEL
from bot.usecases import leads
from scheduler import run_due_jobs
from storage.db import session_scope
from storage.leads import PairFilter
from storage.models import MatchRound, Pairing, Participant
from tests.support import MONDAY, approved_round, seed, seed_pool


def tick(bot: LocalBot, clock: SimClock, moment: datetime) -> dict[str, int]:
    clock.set(moment)
    result = run_due_jobs(bot.services, bot.app.client, now=moment)
    bot.settle()
    return result


def images(view: dict[str, Any] | None) -> list[dict[str, Any]]:
    return [b for b in (view or {}).get("blocks", []) if b.get("type") == "image"]


def uploads(bot: LocalBot) -> int:
    return len(bot.fake.calls_to("files.completeUploadExternal"))


def test_an_empty_program_gets_a_friendly_empty_state_and_no_empty_chart(timed: tuple[LocalBot, SimClock]) -> None:
    bot, _ = timed
    lead = bot.fake.user(LEAD)
    lead.open_home()
    bot.settle()
    assert "Nobody has joined yet" in str(lead.home)
    assert images(lead.home) == []
    report = lead.slash("/mentoring", "report")
    bot.settle()
    assert "*Active pairs:* 0" in report.ephemeral_text
    assert uploads(bot) == 0, "no chart is drawn for an empty program"


def test_the_leads_home_shows_the_program_its_measures_charts_and_the_pairs_worst_first(
    timed: tuple[LocalBot, SimClock],
) -> None:
    bot, clock = timed
    lead = approved_round(bot)  # four pairs, Monday 23 November
    bot.fake.user("U0TOM").slash("/mentoring", "log today")  # Priya and Tom meet at once
    bot.settle()
    # 16 days on: Priya and Tom (every two weeks) are cooling; the others never met, past the 10-day wait.
    tick(bot, clock, MONDAY + timedelta(days=16))

    lead.open_home()
    bot.settle()
    home = str(lead.home)
    assert "*Active pairs:* 4" in home and "*people waiting for a match:* 1" in home
    assert ":large_yellow_circle: cooling 1" in home and ":white_circle: not started 3" in home
    assert "Satisfaction:* shown once there are at least 3" in home
    assert "Meeting frequency:* " in home and "Skills learned:* not measured yet" in home
    sections = [b["text"]["text"] for b in lead.home["blocks"] if b.get("type") == "section"]  # type: ignore[index]
    pair_rows = [s for s in sections if "→" in s]
    assert len(pair_rows) == 4, "all four need a lead: one cooling, three not started past the wait"
    assert "*Priya Nair* → *Tom Becker*" in pair_rows[0] and "cooling" in pair_rows[0], "worst first"
    assert all("not started" in row for row in pair_rows[1:])
    assert "1 session" in pair_rows[0] and "last 23 Nov 2026" in pair_rows[0]

    # Three charts, uploaded through Slack's v2 flow and shown by file id: real PNGs of the size we draw.
    shown = images(lead.home)
    assert [i["title"]["text"] for i in shown] == ["Sessions per week", "Momentum over time", "Satisfaction over time"]
    for image in shown:
        stored = bot.fake.files[image["slack_file"]["id"]]
        assert stored.content is not None
        with Image.open(io.BytesIO(stored.content)) as picture:
            assert (picture.format, picture.size) == ("PNG", (1000, 500))
        assert image["alt_text"]
    # Nothing changed: the same files, nothing drawn or uploaded again.
    before = uploads(bot)
    lead.open_home()
    bot.settle()
    assert uploads(bot) == before
    assert [i["slack_file"]["id"] for i in images(lead.home)] == [i["slack_file"]["id"] for i in shown]
    # A session changes the numbers: the charts that depend on it are drawn and uploaded again.
    bot.fake.user("U0DIANE").slash("/mentoring", "log today")
    bot.settle()
    lead.open_home()
    bot.settle()
    assert uploads(bot) > before


def test_a_lead_nudges_from_home_once_however_often_they_click(timed: tuple[LocalBot, SimClock]) -> None:
    bot, clock = timed
    lead = approved_round(bot)
    tick(bot, clock, MONDAY + timedelta(days=11, hours=1))
    lead.open_home()
    bot.settle()
    with session_scope(bot.services.engine) as session:
        tom = session.exec(select(Pairing).where(Pairing.mentee_id == "U0TOM")).one()
    value = f"{tom.id}|attention:1"
    channel = tom.intro_channel
    assert channel is not None
    before = len(bot.fake.messages(channel))
    lead.click(ids.A_LEADS_NUDGE, where="home", value=value)
    bot.settle()
    assert len(bot.fake.messages(channel)) == before + 1
    assert "Nudged" in str(lead.home) or "nudge" in str(lead.home).lower()
    lead.click(ids.A_LEADS_NUDGE, where="home", value=value)
    bot.settle()
    assert len(bot.fake.messages(channel)) == before + 1, "a double click sends one nudge"


def test_the_pairs_page_and_a_page_out_of_range_shows_the_first_or_last(timed: tuple[LocalBot, SimClock]) -> None:
    bot, _ = timed
    with session_scope(bot.services.engine) as session:
        match = MatchRound(lead_id=LEAD, status=RoundStatus.APPROVED, created_at=MONDAY)
        session.add(match)
        session.flush()
        for n in range(45):
            session.add(
                Pairing(
                    round_id=match.id or 0,
                    mentor_id=f"UM{n:04d}",
                    mentee_id=f"UE{n:04d}",
                    status=PairingStatus.ACTIVE,
                    created_at=MONDAY,
                    approved_at=MONDAY - timedelta(days=n),
                )
            )
    page = leads.pair_page(bot.services, pair_filter=PairFilter.ALL, page=2)
    assert (page.page, page.pages, page.total, len(page.rows)) == (2, 3, 45, 20)
    assert leads.pair_page(bot.services, pair_filter=PairFilter.ALL, page=99).page == 3
    assert leads.pair_page(bot.services, pair_filter=PairFilter.ALL, page=0).page == 1
    # Oldest first within a state: the pair waiting longest for its first session leads.
    assert leads.pair_page(bot.services, pair_filter=PairFilter.ALL, page=1).rows[0].mentor_id == "UM0044"

    lead = bot.fake.user(LEAD)
    lead.open_home()
    bot.settle()
    # First, the pairs that need a lead: the 35 without a first session 10 days or more after matching.
    assert "Page 1 of 2 · pairs 1-20 of 35" in str(lead.home)
    lead.click(ids.A_LEADS_FILTER + "_all", where="home")
    bot.settle()
    assert "Page 1 of 3" in str(lead.home)
    lead.click(ids.A_LEADS_PAGE + "_next", where="home")
    bot.settle()
    assert "Page 2 of 3 · pairs 21-40 of 45" in str(lead.home)
    lead.click(ids.A_LEADS_PAGE + "_prev", where="home")
    bot.settle()
    assert "Page 1 of 3" in str(lead.home)
    assert len([b for b in lead.home["blocks"] if b.get("type") == "section"]) <= 30  # type: ignore[index]


def _csv(content: bytes) -> list[dict[str, str]]:
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with a byte-order mark, so spreadsheets read names right"
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def test_export_sends_two_csv_files_a_spreadsheet_opens_without_fixes(timed: tuple[LocalBot, SimClock]) -> None:
    bot, _ = timed
    lead = approved_round(bot)
    bot.fake.user("U0TOM").slash("/mentoring", "log today we talked about my private worries")
    bot.settle()
    with session_scope(bot.services.engine) as session:
        priya = session.exec(select(Participant).where(Participant.slack_user_id == "U0PRIYA")).one()
        priya.name = '=HYPERLINK("http://evil")'
        session.add(priya)

    answer = lead.slash("/mentoring", "export")
    bot.settle()
    assert "Preparing your export" in answer.ephemeral_text
    assert "Sent: 4 pairs and 1 session" in lead.ephemeral_texts[-1]
    files = {f.name: f for f in bot.fake.uploaded_files(lead.dm_channel)}
    assert sorted(files) == ["turnabout-pairs-2026-11-23.csv", "turnabout-sessions-2026-11-23.csv"]
    pairs = _csv(files["turnabout-pairs-2026-11-23.csv"].content or b"")
    assert len(pairs) == 4
    assert list(pairs[0]) == list(leads.PAIR_COLUMNS)
    tom = next(r for r in pairs if r["mentee"] == "Tom Becker")
    assert tom["mentor"] == '\'=HYPERLINK("http://evil")', "a formula is escaped, shown as text"
    assert (tom["started"], tom["sessions"], tom["last_session"], tom["state"]) == (
        "2026-11-23",
        "1",
        "2026-11-23",
        "on_track",
    )
    sessions = _csv(files["turnabout-sessions-2026-11-23.csv"].content or b"")
    assert [(s["date"], s["logged_by"]) for s in sessions] == [("2026-11-23", "Tom Becker")]
    everything = b"".join(f.content or b"" for f in files.values())
    assert b"worries" not in everything, "never the text of a note"

    # Not a lead: refused, and nothing is sent.
    tom_user = bot.fake.user("U0TOM")
    refused = tom_user.slash("/mentoring", "export")
    bot.settle()
    assert "program leads" in refused.ephemeral_text.lower() or "lead" in refused.ephemeral_text.lower()
    assert bot.fake.uploaded_files(tom_user.dm_channel) == []


def test_when_slack_refuses_a_chart_the_figures_still_arrive_and_the_lead_is_told(
    timed: tuple[LocalBot, SimClock],
) -> None:
    bot, _ = timed
    lead = approved_round(bot)
    bot.fake.fail_next("files.getUploadURLExternal", error="not_allowed_token_type", times=3)
    report = lead.slash("/mentoring", "report")
    bot.settle()
    assert "*Active pairs:* 4" in report.ephemeral_text
    assert any("could not be attached" in t and "not_allowed_token_type" in t for t in lead.ephemeral_texts)
    # Next time Slack takes them.
    lead.open_home()
    bot.settle()
    assert len(images(lead.home)) == 3


@pytest.mark.http_only  # forging a click needs a raw signed request
def test_someone_not_a_lead_pressing_a_leads_home_button_gets_their_own_home_back(
    timed: tuple[LocalBot, SimClock],
) -> None:
    bot, _ = timed
    approved_round(bot)
    payload = {
        "type": "block_actions",
        "user": {"id": "U0TOM", "name": "tom", "team_id": "T0TURNABT"},
        "team": {"id": "T0TURNABT"},
        "api_app_id": "A0TURNABT",
        "container": {"type": "view", "view_id": "V0HOME"},
        "trigger_id": "1.2.3",
        "view": {"id": "V0HOME", "type": "home", "private_metadata": "all:1"},
        "actions": [
            {"type": "button", "action_id": ids.A_LEADS_EXPORT, "block_id": "leads_tools", "value": "export",
             "action_ts": str(time.time())},
        ],
    }  # fmt: skip
    answer = bot.fake.post_raw(urllib.parse.urlencode({"payload": json.dumps(payload)}))
    bot.settle()
    assert answer.status == 200
    assert uploads(bot) == 0, "nothing is exported"
    home = bot.fake.user("U0TOM").home
    assert home is not None and "Your program" not in str(home)


def test_the_monthly_digest_goes_to_the_leads_once_on_the_first_workday_in_working_hours(
    timed: tuple[LocalBot, SimClock],
) -> None:
    bot, clock = timed
    seed(bot, "U0PRIYA", role="mentor", teach=["genai"], seniority="early_career", department="Data")
    seed(bot, "U0TOM", learn=["genai"], seniority="executive", department="Finance")
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "match")
    bot.settle()
    lead.click(ids.A_MATCH_APPROVE)
    bot.settle()

    def digests() -> list[str]:
        return [str(m.get("text")) for m in bot.fake.messages(LEADS_CHANNEL.id) if "Reverse mentoring in" in str(m)]

    assert tick(bot, clock, datetime(2026, 12, 1, 6, 0, tzinfo=UTC))["digest"] == 0, "before working hours"
    assert digests() == []
    assert tick(bot, clock, datetime(2026, 12, 1, 9, 30, tzinfo=UTC))["digest"] == 1
    (digest,) = digests()
    assert "Reverse mentoring in November 2026" in digest
    post = next(m for m in bot.fake.messages(LEADS_CHANNEL.id) if "Reverse mentoring in" in str(m))
    body = json.dumps(post["blocks"])
    assert "1 new pair" in body and "0 pairs lapsed" in body, body
    assert "No pair needs a lead right now" in body, "eight days in, the pair is not late for its first session"
    assert tick(bot, clock, datetime(2026, 12, 1, 11, 0, tzinfo=UTC))["digest"] == 0
    assert tick(bot, clock, datetime(2026, 12, 2, 11, 0, tzinfo=UTC))["digest"] == 0
    assert len(digests()) == 1, "once a month"


def test_matching_shows_the_lead_what_it_is_doing_while_it_solves(
    timed: tuple[LocalBot, SimClock], monkeypatch: pytest.MonkeyPatch
) -> None:
    from bot.usecases import rounds

    bot, _ = timed
    seed_pool(bot)
    real = rounds.propose

    def slow(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.5)  # a pool that takes a while to prove
        return real(*args, **kwargs)

    monkeypatch.setattr(rounds, "propose", slow)
    monkeypatch.setattr(rounds, "PROGRESS_EVERY", 0.1)
    lead = bot.fake.user(LEAD)
    lead.slash("/mentoring", "match")
    bot.settle()
    steps = ("people waiting (", "Still working", "Done in")
    lines = [a.text for a in bot.fake.workspace.activity if any(step in a.text for step in steps)]
    assert "(replaced)" not in lines[0] and "8 people waiting (3 can mentor, 5 want a mentor" in lines[0]
    assert all("(replaced)" in line for line in lines[1:])
    assert sum("Still working" in line for line in lines) == 2, "at most twice: response_url allows five uses"
    assert "Done in" in lines[-1] and "4 pairs proposed (the proven best for everyone), 1 left waiting" in lines[-1]
    assert "Done in" in lead.ephemeral_texts[-1], "one line that moves, not a stack of messages"


def test_a_chart_slack_no_longer_shows_leaves_the_home_tab_standing_and_is_uploaded_afresh(
    timed: tuple[LocalBot, SimClock],
) -> None:
    bot, _ = timed
    lead = approved_round(bot)
    lead.open_home()
    bot.settle()
    (first, *_) = images(lead.home)
    with bot.fake.workspace.lock:  # a retention policy deleted it
        del bot.fake.workspace.files[first["slack_file"]["id"]]
    lead.open_home()
    bot.settle()
    assert images(lead.home) == [] and "Slack would not show the charts" in str(lead.home)
    assert "*Active pairs:* 4" in str(lead.home), "the figures stand"
    # The refusal itself is what Slack says (the fake counts it as the app breaking the contract, as it is).
    assert [v for v in bot.fake.violations if "invalid slack_file" in v] == bot.fake.violations != []
    bot.fake.violations.clear()
    lead.open_home()
    bot.settle()
    assert len(images(lead.home)) == 3, "drawn and uploaded afresh"
