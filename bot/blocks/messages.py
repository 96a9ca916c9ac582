"""Messages: ephemeral answers to `/mentoring`, DMs, and the small pause/leave modals."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    CheckboxesElement,
    ContextBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.common import ProfileLike, profile_lines, role_phrase, slack_date
from bot.blocks.goals import confidence_invite
from bot.blocks.home import button
from bot.domain.catalogue import Catalogue
from bot.domain.people import PAUSE_DEFAULT_WEEKS, Status


def section(text: str) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=text))


def help_blocks(*, lines: Sequence[tuple[str, str, bool]], unknown: str | None = None) -> list[Block]:
    """The help text from the command table's (usage, help, for leads) rows; `unknown` is what the person typed
    when we didn't understand it."""
    everyone = [f"`/mentoring {usage}`: {what}" for usage, what, for_leads in lines if not for_leads]
    leads = [f"`/mentoring {usage}`: {what}" for usage, what, for_leads in lines if for_leads]
    lines_shown = everyone + (["", "*For program leads*", *leads] if leads else [])
    blocks: list[Block] = []
    if unknown:
        blocks.append(section(f"Sorry, I don't know `{_code_safe(unknown)}`. Here's what I can do:"))
    else:
        blocks.append(section("*Turnabout: reverse mentoring.* Here's what you can do:"))
    blocks.append(section("\n".join(lines_shown)))
    return blocks


def _code_safe(text: str) -> str:
    return text.replace("`", "'")[:60]


def not_joined_blocks() -> list[Block]:
    return [
        section("You haven't joined the reverse mentoring program yet."),
        ActionsBlock(elements=[button("Join the program", ids.A_JOIN, style="primary")]),
    ]


def status_blocks(
    *, status: Status, profile: ProfileLike, catalogue: Catalogue, paused_until: datetime | None
) -> list[Block]:
    if status is Status.LEFT:
        return [
            section("You have left the program. Type `/mentoring join` whenever you'd like to come back."),
        ]
    if status is Status.PAUSED and paused_until:
        headline = f"You're *paused* until {slack_date(paused_until, profile.tz)}. `/mentoring resume` to come back."
    elif status is Status.PAUSED:
        headline = "You're *paused*. `/mentoring resume` to come back."
    else:
        headline = f"You're *active* as {role_phrase(profile)}. We'll message you when you're matched."
    return [
        section(headline),
        section("\n".join(profile_lines(profile, catalogue))),
        ContextBlock(elements=[MarkdownTextObject(text="`/mentoring edit` to change anything.")]),
    ]


def welcome_dm(
    *, profile: ProfileLike, catalogue: Catalogue, first_time: bool, ask_confidence: bool = False
) -> tuple[str, list[Block]]:
    """The confirmation DM after a sign-up or an edit: what we stored and what happens next; `ask_confidence`:
    with a button to rate their confidence in the topics they want to learn (some are unrated)."""
    if first_time:
        text = (
            f"Welcome to reverse mentoring, {profile.name or 'and thank you'}! You've joined as {role_phrase(profile)}."
        )
        next_steps = (
            "*What happens next*\n"
            "1. A program lead matches people in rounds; we'll DM you and your match an introduction.\n"
            "2. You agree a first session together; we'll send a short agenda and reminders.\n"
            "3. After sessions we ask a few quick private questions so the program keeps improving.\n"
            "Need a break? `/mentoring pause`. Changed your mind? `/mentoring leave`."
        )
    else:
        text = "Your reverse mentoring answers are updated."
        next_steps = "We'll use these answers from the next matching round on."
    blocks: list[Block] = [
        section(f":wave: {text}"),
        section("\n".join(profile_lines(profile, catalogue))),
        section(next_steps),
        *(confidence_invite() if ask_confidence else []),
        ContextBlock(elements=[MarkdownTextObject(text="Open the Turnabout Home tab any time to see your status.")]),
    ]
    return text, blocks


def paused_text(until: datetime, tz: str) -> str:
    return (
        f":double_vertical_bar: You're paused until {slack_date(until, tz)}: no matches or reminders until then. "
        "You'll be back automatically, or type `/mentoring resume` sooner."
    )


def partner_away_text(*, name: str, until: datetime | None, tz: str) -> str:
    """To someone whose partner paused (by choice or for silence): kind, and never why."""
    when = f"until {slack_date(until, tz)}" if until else "for now"
    return (
        f":double_vertical_bar: A quick note: {name} is taking a break from reverse mentoring {when}. Nothing for "
        "you to do: your pair's clock stops meanwhile, and we'll tell you when they're back."
    )


def partner_back_text(*, name: str) -> str:
    return f":wave: {name} is back from their break. A good moment to book your next session together."


def resumed_text(*, automatically: bool) -> str:
    if automatically:
        return ":wave: Your pause has ended and you're back in the reverse mentoring program. Welcome back!"
    return ":wave: You're back in the reverse mentoring program. Welcome back!"


def leave_prompt_blocks(*, keep_days: int) -> list[Block]:
    """The ephemeral 'are you sure?' for `/mentoring leave`."""
    return [
        section(
            "Leave the reverse mentoring program? Any current match ends and we stop all messages. "
            f"You can keep your history for {_days(keep_days)} (so you can rejoin quickly), after which we delete "
            "it, or delete everything we store about you now."
        ),
        ActionsBlock(
            elements=[
                button("Leave, keep my history", ids.A_LEAVE_KEEP, style="danger"),
                button("Leave and delete my data", ids.A_LEAVE_DELETE, style="danger"),
                button("Cancel", ids.A_LEAVE_CANCEL),
            ]
        ),
    ]


def delete_prompt_blocks(*, keep_days: int) -> list[Block]:
    """`/mentoring leave` from someone who has left already and kept their history: they can delete it now."""
    return [
        section(
            f"You've left the program. We keep your answers and history for {_days(keep_days)} after you leave, "
            "so you can rejoin quickly, and then delete them. Delete everything now instead?"
        ),
        ActionsBlock(
            elements=[
                button("Delete my data now", ids.A_LEAVE_DELETE, style="danger"),
                button("Cancel", ids.A_LEAVE_CANCEL),
            ]
        ),
    ]


def left_text(*, deleted: bool, keep_days: int) -> str:
    if deleted:
        return (
            "You've left the program and we've deleted your profile and everything else we stored about you. "
            "Thank you for taking part."
        )
    return (
        "You've left the program. Thank you for taking part! We keep your answers and history for "
        f"{_days(keep_days)}, so `/mentoring join` brings you back quickly, and then delete them. "
        "`/mentoring mydata` shows what we keep; `/mentoring leave` deletes it now."
    )


def _days(days: int) -> str:
    return "1 day" if days == 1 else f"{days} days"


PAUSE_CHOICES = (1, 2, 4, 8, 12)


def pause_modal() -> View:
    options = [Option(value=str(w), label=f"{w} week" + ("s" if w > 1 else "")) for w in PAUSE_CHOICES]
    return View(
        type="modal",
        callback_id=ids.PAUSE_VIEW,
        title="Pause mentoring",
        submit="Pause",
        close="Cancel",
        blocks=[
            section("Take a break: no matches, reminders or nudges while you're paused. You'll be back automatically."),
            InputBlock(
                block_id=ids.B_PAUSE_WEEKS,
                label="For how long?",
                element=StaticSelectElement(
                    action_id=ids.A_VALUE,
                    options=options,
                    initial_option=next(o for o in options if o.value == str(PAUSE_DEFAULT_WEEKS)),
                ),
            ),
        ],
    )


def leave_modal() -> View:
    return View(
        type="modal",
        callback_id=ids.LEAVE_VIEW,
        title="Leave the program",
        submit="Leave",
        close="Stay",
        blocks=[
            section("Any current match ends and we stop all messages. You're welcome back any time."),
            InputBlock(
                block_id=ids.B_LEAVE_DELETE,
                label="Your data",
                optional=True,
                element=CheckboxesElement(
                    action_id=ids.A_VALUE,
                    options=[Option(value="delete", label="Also delete everything Turnabout stores about me")],
                ),
            ),
        ],
    )


_UNREACHABLE_WHY = {
    "account_inactive": "their Slack account is deactivated",
    "user_disabled": "their Slack account is deactivated",
    "user_not_found": "Slack no longer knows them",
    "cannot_dm_bot": "Slack doesn't let the app message them",
    "user_not_visible": "the app can't see them in Slack",
    "channel_not_found": "the conversation no longer exists",
    "is_archived": "the conversation is archived",
    "not_in_channel": "the app is not in the conversation",
}


def unreachable_alert(*, user_ids: Sequence[str], error: str) -> str:
    """For the leads: someone Turnabout could not reach, and why in plain words (Slack's code for the curious)."""
    who = " and ".join(f"<@{u}>" for u in user_ids)
    why = _UNREACHABLE_WHY.get(error, "Slack refused the message")
    return (
        f":warning: I couldn't deliver a message to {who}: {why} (`{error}`). I won't retry it. If they are "
        "still in the program, you may want to reach out to them another way."
    )
