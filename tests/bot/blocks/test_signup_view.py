"""The sign-up modal sent from the cache is, byte for byte, the one the slack_sdk models build."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from bot.blocks import ids
from bot.blocks.signup import signup_modal, signup_view
from bot.domain.catalogue import Catalogue, Topic, load_catalogue
from bot.domain.people import Cadence, Seniority, Status
from storage.models import Participant
from storage.participants import StoredProfile

CATALOGUE = load_catalogue()
TOPICS = [t.id for t in CATALOGUE.topics]
PEOPLE = ["U0AMARA", "U0LEO", "U0TOM", "U0DIANE"]
NOW = datetime(2026, 11, 23, tzinfo=UTC)


def bytes_of(view: dict[str, Any]) -> str:
    return json.dumps(view)


# Every answer a stored profile can hold, including ones the catalogue or the enums no longer offer.
profiles = st.builds(
    StoredProfile,
    slack_user_id=st.just("U0PRIYA"),
    name=st.just("Priya Nair"),
    tz=st.just("Asia/Kolkata"),
    is_mentor=st.booleans(),
    is_mentee=st.booleans(),
    teach_topics=st.lists(st.sampled_from([*TOPICS, "retired_topic"]), max_size=4, unique=True),
    learn_topics=st.lists(st.sampled_from([*TOPICS, "retired_topic"]), max_size=4, unique=True),
    seniority=st.sampled_from([*Seniority, "retired_level"]),
    department=st.sampled_from([*CATALOGUE.departments, "Retired department"]),
    cadence=st.sampled_from([*Cadence, "retired_cadence"]),
    capacity=st.integers(min_value=0, max_value=5),
    goals=st.sampled_from(["", "Help leaders use AI", 'Quotes " and\nnew lines, émojis 🚀']),
    manager_id=st.none() | st.sampled_from(PEOPLE),
    sponsor_id=st.none() | st.sampled_from(PEOPLE),
    do_not_match=st.lists(st.sampled_from(PEOPLE), max_size=3, unique=True),
    status=st.sampled_from([Status.ACTIVE, Status.PAUSED, Status.LEFT]),
    paused_until=st.none(),
)


def test_the_blank_modal_is_the_built_one() -> None:
    assert bytes_of(signup_view(CATALOGUE)) == bytes_of(signup_modal(CATALOGUE).to_dict())


@settings(max_examples=200, deadline=None)
@given(profile=profiles)
def test_a_prefilled_modal_is_the_built_one(profile: StoredProfile) -> None:
    blank = bytes_of(signup_view(CATALOGUE))
    assert bytes_of(signup_view(CATALOGUE, profile)) == bytes_of(signup_modal(CATALOGUE, profile).to_dict())
    assert bytes_of(signup_view(CATALOGUE)) == blank, "filling in someone's answers changed the cached modal"


def test_an_orm_row_fills_it_in_as_the_models_do() -> None:
    row = Participant(
        slack_user_id="U0PRIYA",
        is_mentor=True,
        is_mentee=True,
        teach_topics=["genai"],
        learn_topics=["leadership"],
        seniority=Seniority.EARLY_CAREER,
        department="Data",
        cadence=Cadence.WEEKLY,
        capacity=2,
        goals="Help leaders use AI",
        sponsor_id="U0OLIVER",
        do_not_match=["U0X"],
        consented_at=NOW,
        joined_at=NOW,
        updated_at=NOW,
    )
    view = signup_view(CATALOGUE, row)
    assert bytes_of(view) == bytes_of(signup_modal(CATALOGUE, row).to_dict())
    assert view["submit"]["text"] == "Save changes" and signup_view(CATALOGUE)["submit"]["text"] == "Join"
    cadence = next(b for b in view["blocks"] if b.get("block_id") == ids.B_CADENCE)
    assert cadence["element"]["initial_option"]["value"] == "weekly"


def test_a_changed_catalogue_gets_its_own_menus() -> None:
    changed = Catalogue(
        topics=(*CATALOGUE.topics, Topic(id="quantum", label="Quantum computing", group=CATALOGUE.groups[0])),
        departments=(*CATALOGUE.departments, "Research"),
    )
    view = signup_view(changed)
    assert bytes_of(view) == bytes_of(signup_modal(changed).to_dict())
    assert "Quantum computing" in bytes_of(view) and "Quantum computing" not in bytes_of(signup_view(CATALOGUE))
    profile = StoredProfile(
        slack_user_id="U0PRIYA",
        name="Priya Nair",
        tz="UTC",
        is_mentor=True,
        is_mentee=False,
        teach_topics=["quantum"],
        learn_topics=[],
        seniority=Seniority.EARLY_CAREER,
        department="Research",
        cadence=Cadence.MONTHLY,
        capacity=1,
        goals="",
        manager_id=None,
        sponsor_id=None,
        do_not_match=[],
        status=Status.ACTIVE,
        paused_until=None,
    )
    assert bytes_of(signup_view(changed, profile)) == bytes_of(signup_modal(changed, profile).to_dict())
