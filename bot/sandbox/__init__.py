"""The local sandbox: Turnabout with no Slack at all (`python -m bot` with no tokens configured)."""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from bot.sandbox.clock import SimClock
from bot.sandbox.journey import play
from bot.sandbox.local import local_bot
from bot.sandbox.roster import CELEBRATION_CHANNEL, LEAD, LEADS_CHANNEL, PEOPLE

# The journey runs on its own clock from a fixed Monday morning, so a month of the program plays out in
# seconds and the transcript reads the same every time.
START = datetime(2027, 3, 1, 9, 0, tzinfo=UTC)

BANNER = """\
Turnabout sandbox: no Slack tokens are configured, so Turnabout is running against its own loopback Slack
workspace ({people} synthetic colleagues). {transport},
and every Web API call it makes is checked against Slack's API contract and Block Kit limits. Below is what
each person sees in Slack. To connect a real workspace, see README.md ("Set up in Slack").
"""

TRANSPORTS = {
    "http": "The real bot serves HTTP on 127.0.0.1; every request it gets is signed like Slack's",
    "socket": "The real bot connects in Socket Mode; every envelope it gets must be acknowledged like Slack's",
}


def run_sandbox(*, database_url: str | None = None, transcript: str | None = None, mode: str = "http") -> int:
    """Play the scripted journey and print its transcript; non-zero if the bot broke Slack's contract.

    Args:
        mode: How Slack reaches the bot, ``"http"`` or ``"socket"`` (Socket Mode); people see the same either way.
    """
    print(BANNER.format(people=len(PEOPLE), transport=TRANSPORTS[mode]))
    with tempfile.TemporaryDirectory(prefix="turnabout-sandbox-") as scratch:
        url = database_url or f"sqlite:///{Path(scratch) / 'sandbox.db'}"
        clock = SimClock(START)
        with local_bot(
            database_url=url,
            users=PEOPLE,
            channels=[LEADS_CHANNEL, CELEBRATION_CHANNEL],
            leads=[LEAD],
            leads_channel=LEADS_CHANNEL.id,
            celebration_channel=CELEBRATION_CHANNEL.id,
            clock=clock,
            mode=mode,
        ) as bot:
            text = play(bot, clock)
            violations = list(bot.fake.violations)
    print(text)
    if transcript:
        Path(transcript).write_text(text, encoding="utf-8")
        print(f"(transcript saved to {transcript})")
    if violations:
        print("The bot broke Slack's contract:", *violations, sep="\n  ", file=sys.stderr)
        return 1
    print(f"Sandbox journey complete: {len(PEOPLE)} people, no contract violations.")
    return 0
