"""The sign-up modal: building it (blank or pre-filled) and reading a submission back.

`signup_modal` builds the modal from `slack_sdk` models, which check Slack's limits as they serialise. That costs
milliseconds per call (about four times what Bolt spends on a whole request), and almost all of it is the part
that never changes: the questions and the catalogue's menus. So `signup_view`, what the listeners send, builds
that JSON once per catalogue and per call only puts in the person's previous answers, picked from the same
`_answers` that `signup_modal` uses. A test keeps the two byte for byte identical.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
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

CONSENT_VALUE = "yes"
SUBMIT_JOIN = "Join"
SUBMIT_EDIT = "Save changes"

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


def _topic_options(catalogue: Catalogue, chosen: list[str] | None) -> list[Option] | None:
    options = [_option(t.id, t.label) for t in catalogue.topics if chosen and t.id in chosen]
    return options or None


def _answers(profile: ProfileLike | None) -> dict[str, tuple[str, Any]]:
    """What the modal shows as already answered: the person's previous answers, or the defaults for a newcomer.

    By block id: the element field the answer goes in, and the answer (an option value, option values, a text, a
    user id or user ids), None for nothing. Enum answers are plain strings: a StrEnum member hashes by its name,
    so it would miss an option looked up by value.
    """
    p = profile
    role = Role.of(is_mentor=p.is_mentor, is_mentee=p.is_mentee) if p else None
    return {
        ids.B_ROLE: ("initial_option", role.value if role else None),
        ids.B_TEACH: ("initial_options", p.teach_topics if p else None),
        ids.B_LEARN: ("initial_options", p.learn_topics if p else None),
        ids.B_SENIORITY: ("initial_option", str(p.seniority) if p else None),
        ids.B_DEPARTMENT: ("initial_option", p.department if p else None),
        ids.B_CADENCE: ("initial_option", str(p.cadence) if p else Cadence.BIWEEKLY.value),
        ids.B_CAPACITY: ("initial_value", str(p.capacity if p and p.capacity else 1)),
        ids.B_GOALS: ("initial_value", (p.goals or None) if p else None),
        ids.B_MANAGER: ("initial_user", p.manager_id if p else None),
        ids.B_SPONSOR: ("initial_user", p.sponsor_id if p else None),
        ids.B_DO_NOT_MATCH: ("initial_users", (p.do_not_match or None) if p else None),
        # Someone editing agreed already; they can still untick to see what it covers.
        ids.B_CONSENT: ("initial_options", [CONSENT_VALUE] if p else None),
    }


def signup_modal(catalogue: Catalogue, profile: ProfileLike | None = None) -> View:
    """The sign-up modal, pre-filled from `profile` when someone edits their answers."""
    p = profile
    answers = _answers(profile)
    role_options = [_option(r.value, text, desc) for r, (text, desc) in _ROLE_OPTIONS.items()]
    seniority_options = [_option(s.value, s.label) for s in Seniority]
    cadence_options = [_option(c.value, c.label) for c in Cadence]
    department_options = [_option(d, d) for d in catalogue.departments]
    consent = _option(CONSENT_VALUE, "I agree to this use of my information")

    def initial(options: list[Option], block_id: str) -> Option | None:
        value = answers[block_id][1]
        return next((o for o in options if o.value == value), None)

    def answer(block_id: str) -> Any:
        return answers[block_id][1]

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
                initial_option=initial(role_options, ids.B_ROLE),
            ),
        ),
        InputBlock(
            block_id=ids.B_TEACH,
            label="Topics I can teach",
            hint=(
                "Needed if you mentor: what you could explain to a curious colleague. "
                "Seniors: the perspective you could share back."
            ),
            optional=True,
            element=StaticMultiSelectElement(
                action_id=ids.A_VALUE,
                placeholder="Choose topics",
                option_groups=_topic_groups(catalogue),
                max_selected_items=TOPICS_MAX,
                initial_options=_topic_options(catalogue, answer(ids.B_TEACH)),
            ),
        ),
        InputBlock(
            block_id=ids.B_LEARN,
            label="Topics I want to learn",
            hint=(
                "Needed if you want a mentor; what you want most first. "
                "Mentors: the perspective you would like to learn back."
            ),
            optional=True,
            element=StaticMultiSelectElement(
                action_id=ids.A_VALUE,
                placeholder="Choose topics",
                option_groups=_topic_groups(catalogue),
                max_selected_items=TOPICS_MAX,
                initial_options=_topic_options(catalogue, answer(ids.B_LEARN)),
            ),
        ),
        InputBlock(
            block_id=ids.B_SENIORITY,
            label="Your seniority",
            element=StaticSelectElement(
                action_id=ids.A_VALUE,
                placeholder="Choose a level",
                options=seniority_options,
                initial_option=initial(seniority_options, ids.B_SENIORITY),
            ),
        ),
        InputBlock(
            block_id=ids.B_DEPARTMENT,
            label="Your department",
            element=StaticSelectElement(
                action_id=ids.A_VALUE,
                placeholder="Choose a department",
                options=department_options,
                initial_option=initial(department_options, ids.B_DEPARTMENT),
            ),
        ),
        InputBlock(
            block_id=ids.B_CADENCE,
            label="How often would you like to meet?",
            element=StaticSelectElement(
                action_id=ids.A_VALUE,
                options=cadence_options,
                initial_option=initial(cadence_options, ids.B_CADENCE),
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
                initial_value=answer(ids.B_CAPACITY),
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
                initial_value=answer(ids.B_GOALS),
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
                initial_user=answer(ids.B_MANAGER),
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
                initial_user=answer(ids.B_SPONSOR),
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
                initial_users=answer(ids.B_DO_NOT_MATCH),
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
                initial_options=[consent] if answer(ids.B_CONSENT) else None,
            ),
        ),
        ContextBlock(elements=[MarkdownTextObject(text="Questions? Ask your program lead.")]),
    ]
    return View(
        type="modal",
        callback_id=ids.SIGNUP_VIEW,
        title="Reverse mentoring",
        submit=SUBMIT_EDIT if p else SUBMIT_JOIN,
        close="Cancel",
        blocks=blocks,
    )


@dataclass(frozen=True)
class _Template:
    """The modal as Slack's JSON with nothing of anyone's in it, and where each answer goes."""

    blank: dict[str, Any]
    edit: dict[str, Any]  # the same, with the submit button of someone changing their answers
    positions: dict[str, int]  # block id -> index in blocks
    options: dict[str, dict[str, dict[str, Any]]]  # block id -> option value -> the option's JSON, in menu order


# The catalogue the last template was for: the app has one for its lifetime, and recognising it by identity skips
# hashing its every topic on each call (the content-keyed cache below stays the authority).
_last: tuple[Catalogue, _Template] | None = None


def _template(catalogue: Catalogue) -> _Template:
    global _last
    last = _last
    if last is not None and last[0] is catalogue:
        return last[1]
    template = _build_template(catalogue)
    _last = (catalogue, template)
    return template


@functools.lru_cache(maxsize=4)
def _build_template(catalogue: Catalogue) -> _Template:
    """Built once per catalogue (the cache is keyed by its content), from the models, so Slack's limits are checked
    once too."""
    blank = signup_modal(catalogue).to_dict()
    positions: dict[str, int] = {}
    options: dict[str, dict[str, dict[str, Any]]] = {}
    for index, block in enumerate(blank["blocks"]):
        if block.get("block_id") not in FIELD_BLOCKS.values():
            continue
        positions[block["block_id"]] = index
        element = block["element"]
        menu = [o for g in element.get("option_groups", ()) for o in g["options"]] + element.get("options", [])
        options[block["block_id"]] = {o["value"]: o for o in menu}
    edit = {**blank, "submit": {**blank["submit"], "text": SUBMIT_EDIT}}
    return _Template(blank=blank, edit=edit, positions=positions, options=options)


def signup_view(catalogue: Catalogue, profile: ProfileLike | None = None) -> dict[str, Any]:
    """`signup_modal(catalogue, profile).to_dict()`, without building a model per call.

    The result shares its unchanged parts with every other call's: read it (serialise it, send it), never change it.
    """
    template = _template(catalogue)
    if profile is None:
        return template.blank
    blocks = list(template.edit["blocks"])
    for block_id, (field_name, answer) in _answers(profile).items():
        block = blocks[template.positions[block_id]]
        element = {k: v for k, v in block["element"].items() if k != field_name}
        menu = template.options[block_id]
        value: Any = answer
        if field_name == "initial_option":
            value = menu.get(answer) if answer is not None else None
        elif field_name == "initial_options":
            chosen = set(answer or ())
            value = [option for option_value, option in menu.items() if option_value in chosen] or None
        if value is not None:
            element[field_name] = value
        # slack_sdk writes every object's keys in sorted order; keep to it so the bytes are the same.
        blocks[template.positions[block_id]] = {**block, "element": dict(sorted(element.items()))}
    return {**template.edit, "blocks": blocks}


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
