"""A cycle's surveys and the recognition at its end: the pulse and close-out messages and modals, their inline
errors, the leads' "need help" notice, and the thank-you, shout-out and manager's note for mentors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    CheckboxesElement,
    ContextBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    PlainTextInputElement,
    RadioButtonsElement,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.leads import escape
from bot.blocks.messages import section
from bot.domain import surveys as rules

Rendered = tuple[str, list[dict[str, Any]]]

KEEP_GOING = "keep_going"
NEED_HELP = "need_help"
CONTINUE = "continue"
CLOSE = "close"
MAY_QUOTE = "may_quote"
SHOUT_OUT = "shout_out"
MANAGER_NOTE = "manager_note"

CONFIDENCE_LABELS = {
    1: "1 · just starting",
    2: "2 · a little",
    3: "3 · getting there",
    4: "4 · confident",
    5: "5 · could teach it",
}


@dataclass(frozen=True)
class Previous:
    """What the person answered last time (a survey answered again starts from it); option values as strings."""

    value: str | None = None
    help: str | None = None
    recommend: str | None = None
    continue_pair: str | None = None
    changed: str = ""
    thanks: str = ""
    ticked: frozenset[str] = frozenset()  # may_quote, shout_out, manager_note
    confidence: Mapping[str, int] = field(default_factory=dict)


NOTHING_YET = Previous()


def survey_value(cycle_id: int, pairing_id: int) -> str:
    """What a survey's button and modal carry: which cycle and which pair it is about."""
    return f"{cycle_id}:{pairing_id}"


def _dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def _private(text: str) -> ContextBlock:
    return ContextBlock(elements=[MarkdownTextObject(text=text)])


# --- the midpoint pulse ---


def _survey_prompt(text: str, *, body: str, button: str, action_id: str, cycle_id: int, pairing_id: int) -> Rendered:
    """A survey's DM: what it asks, the button that opens it, and who sees the answers."""
    blocks: list[Block] = [
        section(body),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text=button, action_id=action_id, value=survey_value(cycle_id, pairing_id), style="primary"
                )
            ]
        ),
        _private("Your answers are private. Program leads only see totals over three or more answers."),
    ]
    return text, _dicts(blocks)


def pulse_prompt(*, cycle_name: str, other_name: str, cycle_id: int, pairing_id: int) -> Rendered:
    text = f"Halfway through {cycle_name}: how is it going with {other_name}?"
    return _survey_prompt(
        text,
        body=f":hourglass_flowing_sand: {text} Two quick questions, and how confident you feel now.",
        button="Answer (1 minute)",
        action_id=ids.A_PULSE_OPEN,
        cycle_id=cycle_id,
        pairing_id=pairing_id,
    )


def _radios(options: Mapping[str, str], chosen: str | None = None) -> RadioButtonsElement:
    built = [Option(value=v, label=label) for v, label in options.items()]
    return RadioButtonsElement(
        action_id=ids.A_VALUE, options=built, initial_option=next((o for o in built if o.value == chosen), None)
    )


def _select(options: Mapping[str, str], placeholder: str, chosen: str | None = None) -> StaticSelectElement:
    built = [Option(value=v, label=label) for v, label in options.items()]
    return StaticSelectElement(
        action_id=ids.A_VALUE,
        placeholder=placeholder,
        options=built,
        initial_option=next((o for o in built if o.value == chosen), None),
    )


def _checkboxes(options: Sequence[Option], ticked: frozenset[str]) -> CheckboxesElement:
    return CheckboxesElement(
        action_id=ids.A_VALUE, options=list(options), initial_options=[o for o in options if o.value in ticked] or None
    )


def _words(chosen: str) -> PlainTextInputElement:
    return PlainTextInputElement(
        action_id=ids.A_VALUE, multiline=True, max_length=rules.WORDS_MAX, initial_value=chosen or None
    )


def _scale(low: int, high: int) -> dict[str, str]:
    return {str(n): str(n) for n in range(low, high + 1)}


def _confidence_inputs(topics: Sequence[tuple[str, str]], previous: Previous) -> list[Block]:
    scale = {str(n): words for n, words in CONFIDENCE_LABELS.items()}
    return [
        InputBlock(
            block_id=ids.B_SURVEY_CONFIDENCE + topic,
            label=f"How confident do you feel now in {label}?"[:2000],
            element=_select(scale, "1 to 5", str(previous.confidence.get(topic, ""))),
        )
        for topic, label in topics
    ]


def pulse_modal(
    *,
    cycle_name: str,
    other_name: str,
    value: str,
    topics: Sequence[tuple[str, str]],
    previous: Previous = NOTHING_YET,
) -> View:
    """`topics`: (id, label) of what the person wants to learn, each rated again."""
    blocks: list[Block] = [
        InputBlock(
            block_id=ids.B_SURVEY_VALUE,
            label=f"How is it going with {other_name}? (1 = not well, 5 = really well)",
            element=_radios(_scale(rules.VALUE_LOW, rules.VALUE_HIGH), previous.value),
        ),
        InputBlock(
            block_id=ids.B_SURVEY_HELP,
            label="And from here?",
            element=_radios(
                {KEEP_GOING: "Keep going", NEED_HELP: "We could use some help from the program lead"}, previous.help
            ),
        ),
        *_confidence_inputs(topics, previous),
        _private(
            "Only you see your answers. If you ask for help, the program lead hears that you'd like a word, "
            "nothing else."
        ),
    ]
    return View(
        type="modal",
        callback_id=ids.PULSE_VIEW,
        private_metadata=value,
        title="Halfway check-in",
        submit="Send",
        close="Later",
        blocks=blocks,
    )


def help_alert(*, user_id: str, name: str, other_name: str, cycle_name: str, pairing_id: int) -> Rendered:
    """For the leads: someone asked for help at the midpoint. Their name and their partner's, nothing they wrote."""
    text = f"{name} asked for help with their reverse mentoring with {other_name} ({cycle_name}, halfway)."
    blocks: list[Block] = [
        HeaderBlock(text="Someone would like a word"),
        section(
            f":raised_hand: {text} They didn't say why: a short message to <@{user_id}> is the best place to start."
        ),
        ActionsBlock(
            elements=[
                ButtonElement(text="Nudge the pair", action_id=ids.A_LEAD_NUDGE, value=str(pairing_id)),
                ButtonElement(text="Offer a rematch", action_id=ids.A_LEAD_REMATCH, value=str(pairing_id)),
            ]
        ),
    ]
    return text, _dicts(blocks)


# --- the close-out ---


def closeout_prompt(*, cycle_name: str, other_name: str, cycle_id: int, pairing_id: int) -> Rendered:
    text = f"{cycle_name} is nearly over. How was it with {other_name}, and would you like to go on together?"
    return _survey_prompt(
        text,
        body=f":checkered_flag: {text} A few questions (2 minutes); your answer decides whether your pair carries on "
        "into the next cycle.",
        button="Answer the close-out",
        action_id=ids.A_CLOSEOUT_OPEN,
        cycle_id=cycle_id,
        pairing_id=pairing_id,
    )


@dataclass(frozen=True)
class CloseoutForm:
    """What the close-out modal asks one person about one pair."""

    cycle_name: str
    other_name: str
    value: str  # survey_value
    you_mentor: bool
    topics: Sequence[tuple[str, str]] = ()
    goals: Sequence[tuple[str, str]] = ()  # (whose, the goal) of the pair, shown to the pair only
    my_progress: int | None = None  # the latest "progress toward your goals" (1-5) each partner gave
    their_progress: int | None = None
    offer_shout_out: bool = False  # mentors, when the program has a celebration channel
    offer_manager_note: bool = False  # mentors whose manager we know: a note can go to them
    manager_name: str | None = None  # their name, when they are in the program too
    previous: Previous = NOTHING_YET


def closeout_modal(form: CloseoutForm) -> View:
    other, previous = form.other_name, form.previous
    blocks: list[Block] = []
    if form.goals:
        # The partner's own words: shown literally, so a goal can't carry a disguised link or a mention.
        lines = "\n".join(f"• {escape(whose)}: {escape(goal)}" for whose, goal in form.goals)
        progress = [
            f"{who} {value}/5"
            for who, value in (("yours", form.my_progress), (escape(other), form.their_progress))
            if value is not None
        ]
        said = f"\nLatest progress toward them, from the check-ins: {', '.join(progress)}" if progress else ""
        blocks.append(section(f"*Your goals for this cycle*\n{lines}"[: 3000 - len(said)] + said))
    blocks += [
        InputBlock(
            block_id=ids.B_SURVEY_VALUE,
            label="Overall, how valuable was it? (1 = not at all, 5 = very)",
            element=_radios(_scale(rules.VALUE_LOW, rules.VALUE_HIGH), previous.value),
        ),
        InputBlock(
            block_id=ids.B_SURVEY_RECOMMEND,
            label="How likely are you to recommend the program to a colleague? (0 = not at all, 10 = certainly)",
            element=_select(_scale(rules.RECOMMEND_LOW, rules.RECOMMEND_HIGH), "0 to 10", previous.recommend),
        ),
        *_confidence_inputs(form.topics, previous),
        InputBlock(
            block_id=ids.B_SURVEY_CHANGED,
            label="What changed for you? (just for you)",
            optional=True,
            element=_words(previous.changed),
        ),
        InputBlock(
            block_id=ids.B_SURVEY_CONTINUE,
            label=f"Next cycle: carry on with {other}?",
            element=_radios(
                {CONTINUE: "Yes, let's continue together", CLOSE: "Let's close here, with thanks"},
                previous.continue_pair,
            ),
        ),
    ]
    if not form.you_mentor:
        blocks += [
            InputBlock(
                block_id=ids.B_SURVEY_THANKS,
                label=f"A few words of thanks for {other}?",
                optional=True,
                element=_words(previous.thanks),
            ),
            InputBlock(
                block_id=ids.B_SURVEY_QUOTE,
                label=f"May the program quote these words, with your name, to {other}'s manager and in a shout-out?",
                optional=True,
                element=_checkboxes(
                    [
                        Option(
                            value=MAY_QUOTE,
                            label="Yes, you may quote my words",
                            description="Your mentor reads them too. Unticked, they stay private to you.",
                        )
                    ],
                    previous.ticked,
                ),
            ),
        ]
    else:
        options = []
        if form.offer_shout_out:
            options.append(
                Option(
                    value=SHOUT_OUT,
                    label="A shout-out in the program channel",
                    description="Your name, what you taught and how many sessions you held.",
                )
            )
        if form.offer_manager_note:
            options.append(
                Option(
                    value=MANAGER_NOTE,
                    label="A note of appreciation to your manager",
                    description=(
                        f"From the program to {form.manager_name}, saying what you gave."
                        if form.manager_name and len(form.manager_name) < 30
                        else "From the program, saying what you gave."
                    ),
                )
            )
        if options:
            blocks.append(
                InputBlock(
                    block_id=ids.B_SURVEY_OPT_IN,
                    label="Would you like some credit for it?",
                    optional=True,
                    element=_checkboxes(options, previous.ticked),
                )
            )
    private = "Only you see your answers; leads see totals over three or more answers."
    if form.you_mentor:
        private += " Nothing is shared about you unless you tick it above."
    else:
        private += " Your words of thanks are shared only if you tick the box."
    blocks.append(_private(private))
    return View(
        type="modal",
        callback_id=ids.CLOSEOUT_VIEW,
        private_metadata=form.value,
        title="Close-out",
        submit="Send",
        close="Later",
        blocks=blocks,
    )


def thanks_view(text: str) -> View:
    """What a survey modal becomes once stored: what happens next, in words."""
    return View(type="modal", title="Thank you", close="Done", blocks=[section(text)])


def pulse_saved(*, need_help: bool) -> str:
    if need_help:
        return (
            ":raised_hand: Thank you. We've let the program lead know you'd like a word; they'll be in touch. "
            "Nothing else you answered was shared."
        )
    return ":white_check_mark: Thank you, and keep going: you're halfway there."


def closeout_saved(*, other_name: str, continue_pair: bool) -> str:
    if continue_pair:
        then = (
            f"You'd like to carry on with {other_name}: if they say the same, your pair goes on into the next cycle. "
            "Otherwise it closes with thanks, and you're free for the next one."
        )
    else:
        then = "Your pair closes with thanks when the cycle ends, and you're free for the next one."
    return f":white_check_mark: Thank you for your answers. {then} You can change them until the cycle closes."


_PROBLEM_WORDS = {
    "value": "Pick a number from 1 to 5.",
    "help": "Choose keep going, or ask for help.",
    "recommend": "Pick a number from 0 to 10.",
    "continue": "Tell us whether you'd like to carry on.",
    rules.TOO_LONG: f"That's a bit long: {rules.WORDS_MAX} characters at most, please.",
    rules.NOTHING_TO_QUOTE: "Write a few words to quote, or untick the box below.",
    "confidence": "Pick how confident you feel, from 1 to 5.",
}
_BLOCKS = {
    "value": ids.B_SURVEY_VALUE,
    "help": ids.B_SURVEY_HELP,
    "recommend": ids.B_SURVEY_RECOMMEND,
    "continue": ids.B_SURVEY_CONTINUE,
    "changed": ids.B_SURVEY_CHANGED,
    "thanks": ids.B_SURVEY_THANKS,
}


def problem_errors(problems: Mapping[str, str]) -> dict[str, str]:
    """The rules' problems as inline errors, by block id."""
    errors: dict[str, str] = {}
    for problem_field, problem in problems.items():
        if problem_field.startswith("confidence:"):
            topic = problem_field.removeprefix("confidence:")
            errors[ids.B_SURVEY_CONFIDENCE + topic] = _PROBLEM_WORDS["confidence"]
        elif problem in (rules.TOO_LONG, rules.NOTHING_TO_QUOTE):
            errors[_BLOCKS[problem_field]] = _PROBLEM_WORDS[problem]
        else:
            errors[_BLOCKS[problem_field]] = _PROBLEM_WORDS[problem_field]
    return errors


# --- recognition at the cycle's end ---


def _topics(topics: Sequence[str]) -> str:
    if not topics:
        return ""
    if len(topics) == 1:
        return topics[0]
    return ", ".join(topics[:-1]) + " and " + topics[-1]


def _sessions(n: int) -> str:
    return f"{n} {'session' if n == 1 else 'sessions'}"


def _span(first: date, last: date) -> str:
    return f"{first:%-d %B} to {last:%-d %B %Y}"


def cycle_thanks(
    *,
    cycle_name: str,
    mentee_name: str,
    sessions: int,
    first: date,
    last: date,
    topics: Sequence[str],
    quote: str | None = None,
) -> str:
    """For a mentor, once the cycle has closed: what they gave, specifically, and their mentee's words when the
    mentee agreed to share them."""
    taught = f" on {_topics(topics)}" if topics else ""
    if sessions:
        held = f"You held {_sessions(sessions)} with {mentee_name}{taught} from {_span(first, last)}"
        text = (
            f":sparkles: *{cycle_name} is complete. Thank you!* {held}. Teaching someone senior takes patience and "
            "nerve, and you brought both. It makes a real difference to how the company works."
        )
    else:
        # No session logged: praise for patience and nerve would ring hollow. Thanks for stepping up, and an
        # open door, without blame (calendars, not people, are usually what got in the way).
        text = (
            f":sparkles: *{cycle_name} is complete.* Thank you for signing up to mentor {mentee_name}{taught} from "
            f"{_span(first, last)}. No sessions were logged this time; if something got in the way, your program "
            "lead would be glad to hear it, and the next cycle is a fresh start."
        )
    if quote:
        # A mentee's own words, shown literally: no mention, broadcast or disguised link hidden in them.
        text += f"\n{escape(mentee_name)} wrote:\n> “{escape(quote)}”"
    return text


@dataclass(frozen=True)
class Credit:
    """What a mentor's public thanks and the note to their manager say: the same facts, told to different people.

    `quote` is the mentee's words, only when they agreed to share them (`bot.domain.surveys.quotable`)."""

    mentor_id: str
    cycle_name: str
    sessions: int
    topics: Sequence[str]
    quote: str | None
    mentee_name: str

    @property
    def taught(self) -> str:
        return f" on {_topics(self.topics)}" if self.topics else ""


def shout_out(credit: Credit) -> Rendered:
    """For the program channel, with the mentor's consent. The mentee is named only with their own words, which
    they agreed to share."""
    text = f"A big thank-you to <@{credit.mentor_id}>, reverse mentor in {credit.cycle_name}!"
    # In public, a count only flatters: a cycle with no logged sessions (they met, and did not log) says none.
    held = f": {_sessions(credit.sessions)} this cycle" if credit.sessions else ""
    body = f":tada: {text} They mentored a senior colleague{credit.taught}{held}."
    blocks: list[Block] = [section(body)]
    if credit.quote:
        blocks.append(section(f"> “{escape(credit.quote)}”\n> — {escape(credit.mentee_name)}"))
    return text, _dicts(blocks)


def manager_note(credit: Credit) -> Rendered:
    """A DM to the mentor's manager, with the mentor's consent; the mentee's words only as `shout_out`."""
    text = f"A note of appreciation from the reverse mentoring program, about <@{credit.mentor_id}>"
    # As in the shout-out: a count only flatters, so a cycle with no logged sessions names none.
    held = f": {_sessions(credit.sessions)}," if credit.sessions else ","
    body = (
        f":sparkles: {text}. In {credit.cycle_name}, they mentored a senior colleague{credit.taught}{held} "
        "sharing what they know with someone far more senior. That takes confidence and care, and we wanted you "
        "to know."
    )
    blocks: list[Block] = [section(body)]
    if credit.quote:
        blocks.append(section(f"What {escape(credit.mentee_name)} wrote:\n> “{escape(credit.quote)}”"))
    blocks.append(_private(f"<@{credit.mentor_id}> asked us to send you this note."))
    return text, _dicts(blocks)
