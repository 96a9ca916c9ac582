"""Small pieces shared by the builders."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from bot.domain.catalogue import Catalogue
from bot.domain.people import Cadence, Role, Seniority
from bot.domain.timezones import to_local


class ProfileLike(Protocol):
    """The parts of a stored participant the builders show (storage.models.Participant fits)."""

    slack_user_id: str
    name: str
    is_mentor: bool
    is_mentee: bool
    teach_topics: list[str]
    learn_topics: list[str]
    seniority: Seniority
    department: str
    cadence: Cadence
    capacity: int
    goals: str
    manager_id: str | None
    sponsor_id: str | None
    do_not_match: list[str]
    tz: str


def slack_date(when: datetime, tz: str) -> str:
    """A date Slack renders in each reader's own time zone, with a readable fallback in `tz`."""
    local = to_local(when, tz)
    fallback = f"{local:%A %-d %B %Y}"
    return f"<!date^{int(when.timestamp())}^{{date_long}}|{fallback}>"


ROLE_LABELS = {Role.MENTOR: "Mentor", Role.MENTEE: "Mentee", Role.BOTH: "Mentor and mentee"}


def role_phrase(profile: ProfileLike) -> str:
    role = Role.of(is_mentor=profile.is_mentor, is_mentee=profile.is_mentee)
    return {
        Role.MENTOR: "a mentor",
        Role.MENTEE: "a mentee",
        Role.BOTH: "a mentor and a mentee",
    }[role]


def topic_list(catalogue: Catalogue, topic_ids: list[str]) -> str:
    labels = catalogue.labels(topic_ids)
    if not labels:
        return "nothing yet"
    return ", ".join(labels)


def profile_lines(profile: ProfileLike, catalogue: Catalogue) -> list[str]:
    """One line per answer, for status and the Home tab."""
    role = Role.of(is_mentor=profile.is_mentor, is_mentee=profile.is_mentee)
    lines = [f"*Role:* {ROLE_LABELS[role]}"]
    if profile.is_mentor:
        plural = "mentee" if profile.capacity == 1 else "mentees"
        lines.append(f"*I can teach:* {topic_list(catalogue, profile.teach_topics)}")
        lines.append(f"*Room for:* {profile.capacity} {plural}")
    if profile.is_mentee:
        lines.append(f"*I want to learn:* {topic_list(catalogue, profile.learn_topics)}")
    lines.append(f"*Seniority:* {_label(Seniority, profile.seniority)}")
    lines.append(f"*Department:* {profile.department}")
    lines.append(f"*Cadence:* {_label(Cadence, profile.cadence)}")
    if profile.sponsor_id:
        lines.append(f"*Sponsor:* <@{profile.sponsor_id}>")
    if profile.goals:
        lines.append(f"*Goals:* {profile.goals}")
    return lines


def _label(enum_type: type[Seniority] | type[Cadence], value: str) -> str:
    try:
        return enum_type(value).label
    except ValueError:
        return value
