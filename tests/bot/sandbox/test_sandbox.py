"""The quick start's main command with no Slack tokens: the sandbox journey, as a real process."""

from __future__ import annotations

from pathlib import Path

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
        "Next session:",
        "Rajesh Iyer has left",
        "#mentoring-leads",
        "Margaret Chen's Slack account was deactivated, so their pair with @Leo Martins has ended",
        "Active pairs (2)",
        # A month of momentum, fast-forwarded through the real scheduler sweep.
        "How did your session with Tom Becker go?",
        "Session check-in",
        "lovely to see you met again",
        "Tomorrow (Monday 15 March)",
        "since your last reverse mentoring session",
        "has gone quiet for 17 days",
        "A note as Tom Becker's sponsor",
        "# A pair has stalled",
        "Already tried: a nudge to the pair, a nudge to each, a note to the sponsor",
        "lapsed: it's been a while",
        "Snoozed: no more reminders about this pair until",
        "How the program is doing",
        "Your pause has ended",
    ):
        assert seen in out, f"transcript lacks {seen!r}"
    assert transcript.read_text() in out
    assert out.count("Meet your reverse mentoring match") == 3, "three introductions, none twice"
    assert out.count("A note as Tom Becker's sponsor") == 1, "each escalation step once"
    assert "Traceback" not in result.stderr
    assert not list(tmp_path.glob("*.db")), "the sandbox keeps its data in a temporary directory"


def test_plain_run_with_no_tokens_is_the_sandbox(tmp_path: Path) -> None:
    result = run(cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Turnabout sandbox" in result.stdout
