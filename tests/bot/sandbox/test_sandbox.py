"""The quick start's main command with no Slack tokens: the sandbox journey, as a real process."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.sandbox import run_sandbox
from tests.support import run


def test_no_tokens_runs_the_sandbox_journey(tmp_path: Path) -> None:
    transcript = tmp_path / "transcript.txt"
    result = run("sandbox", "--transcript", str(transcript), cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    out = result.stdout
    assert "no Slack tokens are configured" in out
    assert "no contract violations" in out
    # The journey shows each thing the foundation offers, as people see it.
    for seen in (
        "Priya Nair typed: /mentoring join",
        "=== Reverse mentoring ===",  # the modal, rendered
        "As a mentor, pick at least one topic you can teach.",  # the inline error
        "Welcome to reverse mentoring, Priya Nair!",  # the confirmation DM
        "=== Home ===",
        "You're *active* as a mentee",
        "You haven't joined",
        "I don't know `sign me up`",
        "Paused until",
        "You're back in the reverse mentoring program",
        "how many weeks, from 1 to 26",
        "Save changes",
        "answers are updated",
        "Leave the reverse mentoring program?",
        "deleted your profile",
        "Only program leads can do that",
        "# Proposed matches",
        "Approve 4 pairs",
        "Meet your reverse mentoring match",
        "Three conversation starters",
        "Your guide to reverse mentoring",
        "on the waitlist",
        "Matches approved",
        "already logged",
        # Booking: the form, the post with each local time and an invite, a move, a cancellation, a rebooking.
        "=== Schedule a session ===",
        "booked for",
        ":paperclip: reverse-mentoring.ics",
        "This session moved to",
        "reverse-mentoring-cancelled.ics",
        "That moment has already passed",
        "Coming up: your reverse mentoring session on",
        "did your session on",
        "your last two sessions were cancelled",
        "2 sessions cancelled in a row",
        # A group session with one mentee absent, and a partner told (kindly, no reason) of a pause.
        "=== Log the session ===",
        "is taking a break from reverse mentoring",
        "is back from their break",
        "Rajesh Iyer has left",
        "#mentoring-leads",
        "Margaret Chen's Slack account was deactivated, so their pair with @Leo Martins has ended",
        "Active pairs (2)",
        # A month of momentum, fast-forwarded through the real scheduler sweep.
        "How did your session with Tom Becker go?",
        "Session check-in",
        "lovely to see you've had your first session",
        "haven't had your first reverse mentoring session",
        "your last reverse mentoring session was on",
        "has gone quiet since",
        "A note as Tom Becker's sponsor",
        "# A pair has stalled",
        "Already tried: a nudge to the pair, a nudge to each, a note to the sponsor",
        "lapsed: it's been a while",
        "Snoozed until",
        "How the program is doing",
        # The leads' view: the program at a glance, charts (uploaded images), pairs worst first, the export.
        "Your program",
        "Pairs, worst first",
        "[image: ",
        "turnabout-pairs-",
        "Your pause has ended",
        # A cycle from start to close-out: the form with an inline error, matching in it, the next one planned,
        # the days left on Home, then one pair rolling over and the others closing with a thank-you.
        "=== Start a cycle ===",
        "Give the cycle a name",
        "Spring 2027* has started",
        "Spring 2027: 91 days left",
        "Autumn 2027* is planned",
        "your pairing carries on into *Autumn 2027*",
        "*Spring 2027* has come to an end, and with it your reverse mentoring pairing with Diane Whitfield",
        "Autumn 2027: 181 days left",
        # ...with the surveys: the pulse, the close-out, confidence before and after, the opted-in shout-out.
        "Halfway through Spring 2027",
        "Spring 2027 is nearly over",
        "2 at sign-up → 3 at midpoint → 4 at close-out",
        # ...the agreement agreed, goals from the first check-in, and a milestone.
        "You both agreed to your mentoring agreement",
        "*Your goals*",
        "Five sessions with Tom Becker",
        "[#mentoring-wins] turnabout: :tada: A big thank-you to @Priya Nair",
        "Spring 2027 is complete. Thank you!",
    ):
        assert seen in out, f"transcript lacks {seen!r}"
    assert transcript.read_text() in out
    # "We agree" edits an introduction in place ("(replaced)"): that is not a second introduction.
    intros = out.count("] turnabout: # Meet your reverse mentoring match")
    assert intros == 4, "three introductions, one more in the cycle, none twice"
    assert out.count("A note as Tom Becker's sponsor") == 1, "each escalation step once"
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("*.db")), "the sandbox keeps its data in a temporary directory"


def test_plain_run_with_no_tokens_is_the_sandbox(tmp_path: Path) -> None:
    result = run(cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Turnabout sandbox" in result.stdout


def test_over_socket_mode_the_journey_shows_everyone_the_same_as_over_http(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    seen: dict[str, str] = {}
    for mode in ("http", "socket"):
        transcript = tmp_path / f"{mode}.txt"
        assert run_sandbox(transcript=str(transcript), mode=mode) == 0, capsys.readouterr().err
        seen[mode] = transcript.read_text()
    assert "connects in Socket Mode" in capsys.readouterr().out
    assert "Welcome to reverse mentoring, Priya Nair!" in seen["socket"]
    # Same lines; within one step a modal closing and the bot's reply may be logged in either order, over either
    # transport, because the ack and the bot's Web API call race.
    assert sorted(seen["socket"].splitlines()) == sorted(seen["http"].splitlines())
