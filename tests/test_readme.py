"""The README tells the truth about the commands: its two tables list exactly the `/mentoring` table's commands."""

from __future__ import annotations

import re
from pathlib import Path

from handlers.commands import SUBCOMMANDS

README = Path(__file__).resolve().parents[1] / "README.md"
ROW = re.compile(r"^\| `/mentoring ([a-z]+)[^`]*` \|", re.MULTILINE)


def _tables() -> tuple[set[str], set[str]]:
    """(everyone's commands, leads' commands) as the README's "What people can do" section lists them."""
    section = README.read_text(encoding="utf-8").split("## What people can do", 1)[1].split("\n## ", 1)[0]
    everyone, leads = section.split("Program leads", 1)
    return set(ROW.findall(everyone)), set(ROW.findall(leads))


def test_the_readme_lists_every_command_in_the_right_table_and_no_other() -> None:
    everyone, leads = _tables()
    listed = [s for s in SUBCOMMANDS if s.listed]
    assert everyone == {s.name for s in listed if not s.lead_only}
    assert leads == {s.name for s in listed if s.lead_only}


def test_the_readme_shows_each_command_with_the_usage_help_gives() -> None:
    text = README.read_text(encoding="utf-8")
    for sub in SUBCOMMANDS:
        if sub.listed:
            assert f"| `/mentoring {sub.usage}` |" in text, f"README shows /mentoring {sub.name} differently"
