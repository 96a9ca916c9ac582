"""The sign-up modal: building it (blank or pre-filled) and reading a submission back."""

from __future__ import annotations

from typing import Any, TypeVar

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    OptionGroup,
    PlainTextInputElement,
    PlainTextObject,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.common import ProfileLike
from bot.domain.catalogue import Catalogue
from bot.domain.inputs import whole_number
from bot.domain.people import (
    CAPACITY_MAX,
    DO_NOT_MATCH_MAX,
    GOALS_MAX,
    TOPICS_MAX,
    Cadence,
    Role,
    Seniority,
    SignupForm,
)

E = TypeVar("E", Role, Seniority, Cadence)

# Which SignupForm field each input block answers; validation errors come back keyed by field.
FIELD_BLOCKS: dict[str, str] = {
    "role": ids.B_ROLE,
    "teach": ids.B_TEACH,
    "learn": ids.B_LEARN,
    "seniority": ids.B_SENIORITY,
    "department": ids.B_DEPARTMENT,
    "cadence": ids.B_CADENCE,
    "capacity": ids.B_CAPACITY,
    "goals": ids.B_GOALS,
    "manager": ids.B_MANAGER,
    "sponsor": ids.B_SPONSOR,
    "do_not_match": ids.B_DO_NOT_MATCH,
    "consent": ids.B_CONSENT,
}

CONSENT_TEXT = (
    "*What Turnabout keeps, and who sees it*\n"
    "• We store your Slack name, title and time zone, and the answers in this form.\n"
    "• Program leads see your profile, to match you, whether your pair's sessions happen, and if you leave. "
    "Your match sees your name, title, department, topics and goals.\n"
    "• Check-ins after sessions are private: leads see totals only, over three or more answers. They see your "
    "name and your match's only if you ask for help (\"isn't working\") or choose to tell them in a check-in.\n"
    "• Your sponsor is only told if your sessions stop happening, never what you said.\n"
    "• `/mentoring mydata` sends you everything we store. Pause or leave any time (`/mentoring leave`): you can "
    "delete it all at once, or we delete it automatically a while after you leave (we'll tell you when)."
)

_ROLE_OPTIONS = {
    Role.MENTOR: ("I'll share what I know", "Mentor: teach a senior colleague something you know well"),
    Role.MENTEE: ("I want to learn", "Mentee: learn from a colleague with a different view of work"),
    Role.BOTH: ("Both", "Teach one thing and learn another"),
}


def _option(value: str, text: str, description: str | None = None) -> Option:
    return Option(value=value, text=PlainTextObject(text=text), description=description)


def _topic_groups(catalogue: Catalogue) -> list[OptionGroup]:
    return [
        OptionGroup(
            label=group,
            options=[_option(t.id, t.label) for t in catalogue.topics if t.group == group],
        )
        for group in catalogue.groups
    ]


def _topic_options(catalogue: Catalogue, chosen: list[str]) -> list[Option] | None:
    options = [_option(t.id, t.label) for t in catalogue.topics if t.id in chosen]
    return options or None


def signup_modal(catalogue: Catalogue, profile: ProfileLike | None = None) -> View:
    """The sign-up modal, pre-filled from `profile` when someone edits their answers."""
    p = profile
    role_options = [_option(r.value, text, desc) for r, (text, desc) in _ROLE_OPTIONS.items()]
    role = Role.of(is_mentor=p.is_mentor, is_mentee=p.is_mentee) if p else None
    seniority_options = [_option(s.value, s.label) for s in Seniority]
    cadence_options = [_option(c.value, c.label) for c in Cadence]
    department_options = [_option(d, d) for d in catalogue.departments]
    consent = _option("yes", "I agree to this use of my information")

    def initial(options: list[Option], value: str | None) -> Option | None:
        return next((o for o in options if o.value == value), None)

    blocks: list[Block] = [
        SectionBlock(
            text=MarkdownTextObject(
                text=(
                    "In reverse mentoring, early-career colleagues teach senior ones (new tools, how a new "
                    "generation sees work and customers) and learn perspective in return. "
                    "Tell us a little about yourself: it takes two minutes."
                )
            )
        ),
        InputBlock(
            block_id=ids.B_ROLE,
            label="How would you like to take part?",
            element=RadioButtonsElement(
                action_id=ids.A_VALUE,
                options=role_options,
                initial_option=initial(role_options, role.value if role else None),
            ),
        ),
        InputBlock(
            block_id=ids.B_TEACH,
            label="Topics I can teach",
            hint="Needed if you mentor. Pick what you could explain to a curious colleague.",
            optional=True,
            element=StaticMultiSelectElement(
                action_id=ids.A_VALUE,
                placeholder="Choose topics",
                option_groups=_topic_groups(catalogue),
                max_selected_items=TOPICS_MAX,
                initial_options=_topic_options(catalogue, p.teach_topics) if p else None,
            ),
        ),
        InputBlock(
            block_id=ids.B_LEARN,
            label="Topics I want to learn",
            hint="Needed if you want a mentor. Put what you want most first.",
            optional=True,
            element=StaticMultiSelectElement(
                action_id=ids.A_VALUE,
                placeholder="Choose topics",
                option_groups=_topic_groups(catalogue),
                max_selected_items=TOPICS_MAX,
                initial_options=_topic_options(catalogue, p.learn_topics) if p else None,
            ),
        ),
        InputBlock(
            block_id=ids.B_SENIORITY,
            label="Your seniority",
            element=StaticSelectElement(
                action_id=ids.A_VALUE,
                placeholder="Choose a level",
                options=seniority_options,
                initial_option=initial(seniority_options, p.seniority if p else None),
            ),
        ),
        InputBlock(
            block_id=ids.B_DEPARTMENT,
            label="Your department",
            element=StaticSelectElement(
                action_id=ids.A_VALUE,
                placeholder="Choose a department",
                options=department_options,
                initial_option=initial(department_options, p.department if p else None),
            ),
        ),
        InputBlock(
            block_id=ids.B_CADENCE,
            label="How often would you like to meet?",
            element=StaticSelectElement(
                action_id=ids.A_VALUE,
                options=cadence_options,
                initial_option=initial(cadence_options, p.cadence if p else Cadence.BIWEEKLY.value),
            ),
        ),
        InputBlock(
            block_id=ids.B_CAPACITY,
            label="How many mentees can you take?",
            hint="Only if you mentor. More than one means a small group.",
            optional=True,
            element=NumberInputElement(
                action_id=ids.A_VALUE,
                is_decimal_allowed=False,
                min_value="1",
                max_value=str(CAPACITY_MAX),
                initial_value=str(p.capacity if p and p.capacity else 1),
            ),
        ),
        InputBlock(
            block_id=ids.B_GOALS,
            label="What do you hope to get out of it?",
            optional=True,
            element=PlainTextInputElement(
                action_id=ids.A_VALUE,
                multiline=True,
                max_length=GOALS_MAX,
                placeholder="e.g. Use AI tools with confidence in my team's planning",
                initial_value=(p.goals or None) if p else None,
            ),
        ),
        DividerBlock(),
        HeaderBlock(text="Optional"),
        InputBlock(
            block_id=ids.B_MANAGER,
            label="Your manager",
            hint="So we never pair you inside your reporting line.",
            optional=True,
            element=UserSelectElement(
                action_id=ids.A_VALUE,
                placeholder="Choose a person",
                initial_user=p.manager_id if p else None,
            ),
        ),
        InputBlock(
            block_id=ids.B_SPONSOR,
            label="Executive sponsor",
            hint="An executive who backs your growth. Only told if your sessions stop happening.",
            optional=True,
            element=UserSelectElement(
                action_id=ids.A_VALUE,
                placeholder="Choose a person",
                initial_user=p.sponsor_id if p else None,
            ),
        ),
        InputBlock(
            block_id=ids.B_DO_NOT_MATCH,
            label="Please don't match me with",
            hint="Nobody is told. Use it for anyone you would rather not be paired with.",
            optional=True,
            element=UserMultiSelectElement(
                action_id=ids.A_VALUE,
                placeholder="Choose people",
                max_selected_items=DO_NOT_MATCH_MAX,
                initial_users=(p.do_not_match or None) if p else None,
            ),
        ),
        DividerBlock(),
        SectionBlock(text=MarkdownTextObject(text=CONSENT_TEXT)),
        InputBlock(
            block_id=ids.B_CONSENT,
            label="Consent",
            element=CheckboxesElement(
                action_id=ids.A_VALUE,
                options=[consent],
                # Someone editing agreed already; they can still untick to see what it covers.
                initial_options=[consent] if p else None,
            ),
        ),
        ContextBlock(elements=[MarkdownTextObject(text="Questions? Ask your program lead.")]),
    ]
    return View(
        type="modal",
        callback_id=ids.SIGNUP_VIEW,
        title="Reverse mentoring",
        submit="Save changes" if p else "Join",
        close="Cancel",
        blocks=blocks,
    )


def read_signup(values: dict[str, dict[str, Any]]) -> SignupForm:
    """Turn a view_submission's `state.values` back into a SignupForm.

    Unknown choices (a stale modal, a tampered payload) become errors for that field, never exceptions.
    """

    def element(block_id: str) -> dict[str, Any]:
        return values.get(block_id, {}).get(ids.A_VALUE) or {}

    def selected(block_id: str) -> str | None:
        option = element(block_id).get("selected_option") or {}
        value = option.get("value")
        return str(value) if value else None

    def selected_many(block_id: str) -> tuple[str, ...]:
        return tuple(str(o["value"]) for o in element(block_id).get("selected_options") or [] if "value" in o)

    unknown: dict[str, str] = {}
    role = _enum(Role, selected(ids.B_ROLE), "role", unknown)
    seniority = _enum(Seniority, selected(ids.B_SENIORITY), "seniority", unknown)
    cadence = _enum(Cadence, selected(ids.B_CADENCE), "cadence", unknown)
    capacity_text = str(element(ids.B_CAPACITY).get("value") or "").strip()
    capacity: int | None = 1
    if capacity_text:
        capacity = whole_number(capacity_text, low=1, high=CAPACITY_MAX)
    sponsor = element(ids.B_SPONSOR).get("selected_user")
    manager = element(ids.B_MANAGER).get("selected_user")
    return SignupForm(
        role=role,
        teach=selected_many(ids.B_TEACH),
        learn=selected_many(ids.B_LEARN),
        seniority=seniority,
        department=selected(ids.B_DEPARTMENT),
        cadence=cadence,
        capacity=capacity,
        goals=str(element(ids.B_GOALS).get("value") or "")[: GOALS_MAX + 1],
        manager_id=str(manager) if manager else None,
        sponsor_id=str(sponsor) if sponsor else None,
        do_not_match=tuple(str(u) for u in element(ids.B_DO_NOT_MATCH).get("selected_users") or []),
        consent="yes" in selected_many(ids.B_CONSENT),
        unknown=unknown,
    )


def _enum(enum_type: type[E], value: str | None, name: str, unknown: dict[str, str]) -> E | None:
    if value is None:
        return None
    try:
        return enum_type(value)
    except ValueError:
        unknown[name] = "That choice is no longer available; please choose again."
        return None


def errors_for_blocks(errors: dict[str, str]) -> dict[str, str]:
    """Map field-keyed validation errors onto the modal's block ids for `response_action: errors`."""
    return {FIELD_BLOCKS[field]: message for field, message in errors.items() if field in FIELD_BLOCKS}
