"""The words around a pair's goals, their agreement, and confidence per topic: the introduction's parts, the
check-in's goal questions, the agreement reminder, the confidence modal and the Home tab's lines."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.domain.catalogue import Catalogue
from bot.domain.goals import GOAL_TEXT_MAX, GOALS_MAX

CONFIDENCE_LABELS = {
    1: "1 · not confident yet",
    2: "2 · a little",
    3: "3 · getting there",
    4: "4 · fairly confident",
    5: "5 · very confident",
}
PROGRESS_LABELS = {1: "1 · not yet", 2: "2", 3: "3 · some", 4: "4", 5: "5 · a lot"}


def _section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text[:3000]))


def _plain(text: str) -> str:
    """Someone's own words as Slack shows them literally: no mention, link or broadcast hidden in a goal."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _quote(goals: Sequence[str]) -> str:
    return "\n".join(f"• {_plain(g)}" for g in goals)


# --- the introduction ---


def intro_goals(mentees: Sequence[tuple[str, str]]) -> list[Block]:
    """The mentee's own words from sign-up (name, goals), marked as theirs; nothing when they wrote none.

    Only in a one-to-one introduction: a mentor's group conversation includes the other mentees, and a person's
    goals are for their pair alone. A group's goals are set privately at each pair's first check-in."""
    if len(mentees) != 1:
        return [_section("_Each of you sets one to three goals with your mentor after your first session._")]
    shown = [(name, goals.strip()) for name, goals in mentees if goals.strip()]
    if not shown:
        return []
    lines = [
        f"*What {name} hopes to get out of it*, in their words:\n>{_plain(goals).replace(chr(10), chr(10) + '>')}"
        for name, goals in shown
    ]
    lines.append("_You'll turn these into one to three goals together after your first session._")
    return [_section("\n".join(lines))]


def agree_actions(anchor: int | str) -> ActionsBlock:
    """The agreement's button: whoever clicks it agrees for themselves (a mentor for their whole group)."""
    return ActionsBlock(
        block_id=f"agree:{anchor}",
        elements=[ButtonElement(text="We agree", action_id=ids.A_AGREE, value=str(anchor), style="primary")],
    )


AGREE_HINT = "Each of you clicks “We agree” once. Your Home tab shows who has agreed."


def agree_hint(anchor: int | str) -> ContextBlock:
    return ContextBlock(block_id=f"agreed:{anchor}", elements=[MarkdownTextObject(text=AGREE_HINT)])


def agreement_status(*, agreed: Sequence[str], waiting: Sequence[str]) -> str:
    """Who has agreed so far, for everyone in the conversation to see under the button."""
    if not waiting:
        return ":handshake: Agreed by everyone: " + ", ".join(agreed) + "."
    done = f":white_check_mark: Agreed: {', '.join(agreed)} · " if agreed else ""
    return f"{done}Waiting for: {', '.join(waiting)}. {AGREE_HINT}"


def with_agreement_status(blocks: Sequence[dict[str, Any]], *, anchor: int, status: str) -> list[dict[str, Any]]:
    """The clicked message's blocks (as Slack holds them) with the status line under its "We agree" button
    replaced, or added under the button when the message had none (the reminder)."""
    line = {"type": "context", "block_id": f"agreed:{anchor}", "elements": [{"type": "mrkdwn", "text": status}]}
    result: list[dict[str, Any]] = []
    replaced = False
    for block in blocks:
        block_id = str(block.get("block_id") or "")
        if block_id.startswith("agreed:"):
            result.append(line)
            replaced = True
            continue
        result.append(dict(block))
        if block_id.startswith("agree:") and not any(
            str(b.get("block_id") or "").startswith("agreed:") for b in blocks
        ):
            result.append(line)
            replaced = True
    return result if replaced else list(blocks)


def agreed_reply(*, waiting_for: Sequence[str], changed: bool) -> str:
    """What the person who clicked "We agree" reads (only them)."""
    start = ":handshake: Thank you, you've agreed." if changed else "You've already agreed. Thank you!"
    if not waiting_for:
        return f"{start} Everyone in this pair has agreed now: a good start."
    return f"{start} Waiting for {' and '.join(waiting_for)}."


def agreement_reminder(
    *, mentor_id: str, mentee_id: str, waiting_for: Sequence[str], anchor: int
) -> tuple[str, list[dict[str, Any]]]:
    """The one gentle reminder to a pair who have met but not both agreed to their agreement."""
    who = " and ".join(f"<@{u}>" for u in waiting_for) or "you both"
    text = f"<@{mentor_id}> and <@{mentee_id}>, lovely that you've started meeting."
    body = (
        f":handshake: {text} One small thing: your mentoring agreement (in your introduction above) is still "
        f"waiting for {who} to click “We agree”. It takes a second, and it's a good moment to check the "
        "agreement still fits how you meet."
    )
    blocks: list[Block] = [_section(body), agree_actions(anchor)]
    return text, [b.to_dict() for b in blocks]


# --- the check-in ---


def checkin_goal_blocks(
    *, role: str, prefill: Sequence[str], pair_goals: Sequence[str], ask_goals: bool, ask_progress: bool
) -> list[Block]:
    """The check-in's goal questions. At the first check-in (`ask_goals`) the mentee confirms or edits one to
    three goals (required) and a mentor may set up to three for what they want to learn back; later ones ask
    "progress toward your goals" once the pair has goals."""
    blocks: list[Block] = []
    if ask_goals:
        mentee = role == "mentee"
        blocks.append(
            InputBlock(
                block_id=ids.B_CHECKIN_GOALS,
                label="Your goals for this pairing" if mentee else "What do you want to learn back?",
                hint=(
                    f"One to {GOALS_MAX} goals, one per line, each under {GOAL_TEXT_MAX} characters. "
                    "From what you wrote at sign-up: keep, edit or replace. Only you and your partner see them."
                    if mentee
                    else f"Optional: up to {GOALS_MAX}, one per line, e.g. how leaders weigh a decision. "
                    "Only you and your partner see them."
                ),
                optional=not mentee,
                element=PlainTextInputElement(
                    action_id=ids.A_VALUE,
                    multiline=True,
                    max_length=1000,
                    initial_value="\n".join(prefill) or None,
                ),
            )
        )
    elif ask_progress:
        if pair_goals:
            blocks.append(
                ContextBlock(elements=[MarkdownTextObject(text=("*Your pair's goals*\n" + _quote(pair_goals))[:3000])])
            )
        blocks.append(
            InputBlock(
                block_id=ids.B_CHECKIN_PROGRESS,
                label="Progress toward your goals? (1 = not yet, 5 = a lot)",
                optional=True,
                element=RadioButtonsElement(
                    action_id=ids.A_VALUE,
                    options=[Option(value=str(v), label=label) for v, label in PROGRESS_LABELS.items()],
                ),
            )
        )
    return blocks


# --- confidence ---


def confidence_button(text: str = "Rate my confidence") -> ButtonElement:
    return ButtonElement(text=text, action_id=ids.A_CONFIDENCE_OPEN, value="confidence", style="primary")


def confidence_invite() -> list[Block]:
    """In the welcome DM, for someone with topics to rate."""
    return [
        _section(
            "*One more thing (30 seconds):* how confident do you feel today in each topic you want to learn? "
            "Later we ask again, so you can see how far you've come. Only you see your answers; leads only see "
            "totals over three or more people."
        ),
        ActionsBlock(elements=[confidence_button()]),
    ]


def confidence_modal(*, catalogue: Catalogue, topics: Sequence[str], current: Mapping[str, int]) -> View:
    options = [Option(value=str(v), label=label) for v, label in CONFIDENCE_LABELS.items()]
    blocks: list[Block] = [
        _section("How confident do you feel today in each topic you want to learn? There are no wrong answers."),
    ]
    for topic in topics:
        value = current.get(topic)
        initial = next((o for o in options if value is not None and o.value == str(value)), None)
        blocks.append(
            InputBlock(
                block_id=ids.B_CONFIDENCE_PREFIX + topic,
                label=catalogue.label(topic)[:2000],
                element=StaticSelectElement(
                    action_id=ids.A_VALUE, placeholder="Choose 1 to 5", options=options, initial_option=initial
                ),
            )
        )
    blocks.append(
        ContextBlock(
            elements=[MarkdownTextObject(text="Only you see these. Leads only see totals over three or more people.")]
        )
    )
    return View(
        type="modal",
        callback_id=ids.CONFIDENCE_VIEW,
        title="Your confidence",
        submit="Save",
        close="Later",
        blocks=blocks,
    )


def read_confidence(values: Mapping[str, Mapping[str, Any]]) -> dict[str, str | None]:
    """Per topic in the submitted modal, the chosen value as given (checked by the use case)."""
    found: dict[str, str | None] = {}
    for block_id, elements in values.items():
        if not block_id.startswith(ids.B_CONFIDENCE_PREFIX):
            continue
        option = (elements.get(ids.A_VALUE) or {}).get("selected_option") or {}
        found[block_id.removeprefix(ids.B_CONFIDENCE_PREFIX)] = option.get("value")
    return found


def confidence_saved() -> str:
    return ":white_check_mark: Thank you! We'll ask again later in the program so you can see your progress."


# --- the Home tab ---


@dataclass(frozen=True)
class PairGoals:
    """A pair's goals and agreement as one partner's Home tab shows them."""

    other_name: str
    mine: Sequence[str] = ()
    theirs: Sequence[str] = ()
    my_progress: int | None = None
    their_progress: int | None = None
    i_agreed: bool = False
    they_agreed: bool = False
    extra: Sequence[str] = field(default_factory=tuple)  # lines other features add


def pair_goal_lines(pair: PairGoals) -> list[str]:
    """The lines under one pair on the Home tab: goals of both partners, latest progress, the agreement."""
    lines: list[str] = []
    if pair.i_agreed and pair.they_agreed:
        lines.append(":handshake: You both agreed to your mentoring agreement.")
    elif pair.i_agreed:
        lines.append(f":hourglass_flowing_sand: You agreed; waiting for {pair.other_name}.")
    elif pair.they_agreed:
        lines.append(f":point_right: {pair.other_name} agreed; click “We agree” in your introduction.")
    else:
        lines.append(":point_right: Agreement not agreed yet: click “We agree” in your introduction.")
    for whose, goals, progress in (
        ("Your goals", pair.mine, pair.my_progress),
        (f"{pair.other_name}'s goals", pair.theirs, pair.their_progress),
    ):
        if goals:
            said = f" · latest progress {progress}/5" if progress is not None else ""
            lines.append(f"*{whose}*{said}\n" + _quote(goals))
    return [*lines, *pair.extra]


def confidence_lines(catalogue: Catalogue, ratings: Mapping[str, int], topics: Sequence[str]) -> list[str]:
    """The reader's own confidence at sign-up, one line per topic (later answers can be added to each)."""
    return [f"• {catalogue.label(t)}: {ratings[t]}/5 at sign-up" for t in topics if t in ratings]


def confidence_blocks(lines: Sequence[str], *, rate: bool) -> list[Block]:
    """The Home tab's confidence part: the reader's own ratings, and a button while some topic is unrated."""
    text = (
        "*Your confidence, for your eyes only*\n" + "\n".join(lines)
        if lines
        else (
            "*How confident do you feel in what you want to learn?* Rate it once now; we ask again later so you can "
            "see how far you've come."
        )
    )
    blocks: list[Block] = [_section(text)]
    if rate:
        blocks.append(
            ActionsBlock(elements=[confidence_button("Rate my confidence" if not lines else "Rate the rest")])
        )
    return blocks


def confidence_unrated(topics: Sequence[str], ratings: Mapping[str, int]) -> bool:
    return any(t not in ratings for t in topics)
