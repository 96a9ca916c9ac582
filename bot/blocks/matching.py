"""Messages for matching: the lead's preview, introductions, the mentor guide, waitlist and ending notes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    InputBlock,
    MarkdownTextObject,
    Option,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.blocks import ids
from bot.blocks.common import ProfileLike
from bot.blocks.messages import section
from bot.domain.catalogue import Catalogue
from bot.domain.content import Content, agreement_lines, starters_for
from bot.domain.people import Cadence
from bot.domain.privacy import FORMER_PARTICIPANT, is_alias
from bot.domain.rounds import PairingStatus, RoundStatus

# A message holds 50 blocks; the preview keeps room for its header, summary and buttons.
PREVIEW_PAIRS_SHOWN = 30


class PersonLike(ProfileLike, Protocol):
    title: str


class Pairing(Protocol):
    """The parts of a stored pairing the builders show (storage.models.Pairing fits)."""

    @property
    def id(self) -> int | None: ...
    @property
    def mentor_id(self) -> str: ...
    @property
    def mentee_id(self) -> str: ...
    @property
    def status(self) -> PairingStatus: ...
    @property
    def score(self) -> float: ...
    @property
    def shared_topics(self) -> list[str]: ...
    @property
    def reasons(self) -> list[str]: ...
    @property
    def cadence(self) -> Cadence: ...


def who(person: PersonLike) -> str:
    details = " · ".join(x for x in (person.title, person.department) if x)
    return f"*{person.name or person.slack_user_id}*" + (f" ({details})" if details else "")


def _dicts(blocks: Sequence[Block]) -> list[dict[str, Any]]:
    return [b.to_dict() for b in blocks]


def preview(
    *,
    round_id: int,
    status: str,
    pairings: Sequence[Pairing],
    unmatched: Sequence[tuple[str, str]],
    people: dict[str, Any],
    decided_by: str | None = None,
    sent: int | None = None,
    score_gap: float | None = None,
    total_score: float = 0.0,
    progress: RoundProgress | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """The lead's review of a round: each pair with its score and reasons, who waits and why, and buttons."""
    live = [p for p in pairings if p.status != PairingStatus.DROPPED]
    mentees = len(live)
    mentors = len({p.mentor_id for p in live})
    waiting = len(unmatched)
    summary = f"{mentees} {'pair' if mentees == 1 else 'pairs'} ({mentors} {'mentor' if mentors == 1 else 'mentors'})"
    summary += f", {waiting} {'person' if waiting == 1 else 'people'} waiting"
    if status == RoundStatus.APPROVED:
        title = "Matches approved"
        headline = f":white_check_mark: Approved by <@{decided_by}>: {summary}."
        if progress is not None:
            headline += " " + progress_text(progress)
        elif sent is None:
            headline += " Sending the introductions, guides and waitlist notes…"
        else:
            headline += f" {sent} messages sent (introductions, mentor guides, waitlist notes)."
    elif status == RoundStatus.DISCARDED:
        title = "Matches discarded"
        headline = f"This proposal was discarded or replaced by a newer one ({summary})."
    else:
        title = "Proposed matches"
        headline = (
            f"{summary}. Nothing is sent until you approve. "
            "Drop any pair you don't like, then run again to fill the gaps."
        )
    blocks: list[Block] = [HeaderBlock(text=title), section(headline)]
    if score_gap:
        # Honest about a proposal that is not the proven best: a hard pool settled once proven this close, or
        # matching hit its time limit.
        share = score_gap / (total_score + score_gap) if total_score + score_gap > 0 else 0.0
        blocks.append(
            ContextBlock(
                elements=[
                    MarkdownTextObject(
                        text=":stopwatch: Proven "
                        + (f"at most {share:.2%}" if share >= 0.0001 else "less than 0.01%")
                        + " below the best possible total score for this pool: a large pool where many chose both"
                        " roles is settled once it is that close, or when time runs out."
                    )
                ]
            )
        )
    blocks.append(DividerBlock())
    for pairing in list(pairings)[:PREVIEW_PAIRS_SHOWN]:
        mentor, mentee = people.get(pairing.mentor_id), people.get(pairing.mentee_id)
        # Someone missing has had their data deleted since the proposal.
        names = f"{who(mentor) if mentor else _FORMER}  →  {who(mentee) if mentee else _FORMER}"
        reasons = "; ".join(pairing.reasons)
        if pairing.status == PairingStatus.DROPPED:
            blocks.append(section(f"~{names}~  _dropped_"))
            continue
        text = f"{names}\nScore {pairing.score:.0f}/100 · _{reasons}_"
        accessory = None
        if status == RoundStatus.DRAFT:
            accessory = ButtonElement(text="Drop", action_id=ids.A_MATCH_DROP, value=str(pairing.id))
        blocks.append(SectionBlock(text=MarkdownTextObject(text=text[:3000]), accessory=accessory))
    hidden = len(pairings) - PREVIEW_PAIRS_SHOWN
    if hidden > 0:
        blocks.append(
            ContextBlock(
                elements=[MarkdownTextObject(text=f"…and {hidden} more pairs, all included when you approve.")]
            )
        )
    if unmatched:
        lines = [f"• {_name(people, user_id)}: {reason}" for user_id, reason in unmatched[:15]]
        if len(unmatched) > 15:
            lines.append(f"…and {len(unmatched) - 15} more")
        blocks += [DividerBlock(), section("*Waiting this round*\n" + "\n".join(lines))]
    if status == RoundStatus.DRAFT:
        approve_text = f"Approve {mentees} {'pair' if mentees == 1 else 'pairs'}"
        blocks.append(
            ActionsBlock(
                elements=[
                    ButtonElement(
                        text=approve_text,
                        action_id=ids.A_MATCH_APPROVE,
                        value=str(round_id),
                        style="primary",
                        confirm=ConfirmObject(
                            title="Send introductions?",
                            text=f"{mentees} introductions go out now, and everyone waiting is told why.",
                            confirm="Approve and send",
                            deny="Not yet",
                        ),
                    ),
                    ButtonElement(text="Run again", action_id=ids.A_MATCH_RERUN, value=str(round_id)),
                    ButtonElement(text="Discard", action_id=ids.A_MATCH_DISCARD, value=str(round_id)),
                ]
            )
        )
    return f"{title}: {summary}", _dicts(blocks)


@dataclass(frozen=True)
class RoundProgress:
    """How far an approved round's messages have gone out."""

    sent: int
    total: int
    done: bool = False
    failed: Mapping[str, int] = field(default_factory=dict)  # Slack's refusal -> how many messages
    waiting: int = 0  # not sent yet: the scheduler keeps trying


# Slack's refusals, in the words a lead can act on.
_WHY = {
    "account_inactive": "the person's Slack account is deactivated",
    "user_disabled": "the person's Slack account is deactivated",
    "user_not_found": "the person is not in this workspace any more",
    "cannot_dm_bot": "the person doesn't let the app message them",
    "channel_not_found": "the conversation is gone",
    "is_archived": "the conversation is archived",
    "not_in_channel": "the app is not in the conversation",
    "user_not_visible": "the app can't see the person",
    "too_many_users": "the group is too large for a group DM",
}


def progress_text(progress: RoundProgress) -> str:
    """'Sent 340 of 1,200 messages…' while a round goes out; at the end, what could not be sent and why."""
    what = "introductions, guides and waitlist notes"
    if not progress.done:
        return f"Sent {progress.sent:,} of {progress.total:,} messages ({what})…"
    if progress.sent == progress.total:
        return f"All {progress.total:,} messages sent ({what})."
    text = f"{progress.sent:,} of {progress.total:,} messages sent ({what})."
    if progress.failed:
        reasons = "; ".join(
            f"{count:,} because {_WHY.get(error, f'Slack said {error}')}"
            for error, count in sorted(progress.failed.items(), key=lambda item: (-item[1], item[0]))
        )
        text += f" {sum(progress.failed.values()):,} could not be sent: {reasons}."
    if progress.waiting:
        text += f" {progress.waiting:,} not sent yet: Slack was unavailable, and they are retried automatically."
    return text


def _name(people: dict[str, Any], user_id: str) -> str:
    person = people.get(user_id)
    if person is not None and person.name:
        return str(person.name)
    return _FORMER if is_alias(user_id) else f"<@{user_id}>"


_FORMER = f"_{FORMER_PARTICIPANT}_"


def introduction(
    *,
    mentor: PersonLike,
    mentees: Sequence[PersonLike],
    pairings: Sequence[Pairing],
    catalogue: Catalogue,
    content: Content,
) -> tuple[str, list[dict[str, Any]]]:
    """The group DM that introduces a mentor to their mentee(s) and gets the first session going."""
    anchor = str(pairings[0].id)
    mentee_names = " and ".join(m.name for m in mentees)
    text = f"Meet your reverse mentoring match: {mentor.name} will mentor {mentee_names}."
    people = [f"*Mentor:* <@{mentor.slack_user_id}>, {_role_line(mentor)}"]
    people += [f"*Mentee:* <@{m.slack_user_id}>, {_role_line(m)}" for m in mentees]
    why = []
    for pairing, mentee in zip(pairings, mentees, strict=True):
        prefix = f"With {mentee.name}: " if len(mentees) > 1 else ""
        why.append(f"• {prefix}{'; '.join(pairing.reasons)}")
    wanted: list[str] = []
    for pairing, mentee in zip(pairings, mentees, strict=True):
        wanted += [t for t in pairing.shared_topics if t not in wanted]
        wanted += [t for t in mentee.learn_topics if t not in wanted]
    seed = ",".join([mentor.slack_user_id, *(m.slack_user_id for m in mentees)])
    starters = starters_for(content, wanted, count=3, seed=seed)
    cadences = {Cadence.parse(p.cadence) for p in pairings}
    if len(cadences) == 1:
        cadence = next(iter(cadences)).phrase
    else:
        cadence = "; ".join(
            f"with {m.name}, {Cadence.parse(p.cadence).phrase}" for p, m in zip(pairings, mentees, strict=True)
        )
    blocks: list[Block] = [
        HeaderBlock(text="Meet your reverse mentoring match"),
        section(
            f":wave: Hello! A program lead matched you for reverse mentoring: <@{mentor.slack_user_id}> shares "
            f"what they know about {_topics(catalogue, pairings)}, and gets perspective back."
        ),
        section("\n".join(people)),
        section("*Why you were matched*\n" + "\n".join(why)),
        section("*Three conversation starters*\n" + "\n".join(f"{i}. {s}" for i, s in enumerate(starters, 1))),
        section("*A first session (45 minutes)*\n" + "\n".join(f"• {step}" for step in content.agenda)),
        section("*Our mentoring agreement*\n" + "\n".join(f"• {line}" for line in agreement_lines(content, cadence))),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="We met — log a session", action_id=ids.A_LOG_SESSION, value=anchor, style="primary"
                ),
                ButtonElement(text="Schedule our next session", action_id=ids.A_SCHEDULE, value=anchor),
                ButtonElement(text="Change how often we meet", action_id=ids.A_CADENCE, value=anchor),
                ButtonElement(text="This match isn't working", action_id=ids.A_NOT_WORKING, value=anchor),
            ],
            block_id=f"pair:{anchor}",
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=(
                        "Only the people matched here can see this conversation. "
                        '"This match isn\'t working" tells the program leads, nobody else.'
                    )
                )
            ]
        ),
    ]
    return text, _dicts(blocks)


def _role_line(person: PersonLike) -> str:
    return ", ".join(x for x in (person.title, person.department) if x) or "colleague"


def _topics(catalogue: Catalogue, pairings: Sequence[Pairing]) -> str:
    topics: list[str] = []
    for pairing in pairings:
        topics += [t for t in pairing.shared_topics if t not in topics]
    labels = [catalogue.label(t) for t in topics] or ["what they know"]
    return labels[0] if len(labels) == 1 else ", ".join(labels[:-1]) + " and " + labels[-1]


def mentor_guide(*, mentor: PersonLike, content: Content) -> tuple[str, list[dict[str, Any]]]:
    """The private guide a first-time reverse mentor gets."""
    text = f"{content.mentor_guide_title}: a short guide for your first reverse mentoring sessions"
    blocks: list[Block] = [
        HeaderBlock(text=content.mentor_guide_title[:150]),
        section(f"Congratulations on your first match, {mentor.name}! A few things that make reverse mentoring work:"),
        section("\n".join(f"• {line}" for line in content.mentor_guide)),
        ContextBlock(elements=[MarkdownTextObject(text="Only you received this guide.")]),
    ]
    return text, _dicts(blocks)


def mentee_guide(*, mentee: PersonLike, mentor: PersonLike, content: Content) -> tuple[str, list[dict[str, Any]]]:
    """The private guide a first-time reverse mentee (the senior) gets with their introduction."""
    text = f"{content.mentee_guide_title}: a short guide for your sessions with {mentor.name}"
    blocks: list[Block] = [
        HeaderBlock(text=content.mentee_guide_title[:150]),
        section(
            f"Welcome to reverse mentoring, {mentee.name}! {mentor.name} will be teaching you, and you have "
            "plenty to give back. A few things that make it work:"
        ),
        section("\n".join(f"• {line}" for line in content.mentee_guide)),
        ContextBlock(elements=[MarkdownTextObject(text="Only you received this guide.")]),
    ]
    return text, _dicts(blocks)


def waitlist_text(*, person: PersonLike, reason: str) -> str:
    return (
        f"Hi {person.name}, no match for you in this reverse mentoring round, so you're on the waitlist: {reason}. "
        "You keep your place, and people who have waited longest get priority next round. "
        "Adding topics with `/mentoring edit` can widen your chances."
    )


def pair_ended_text(*, other_name: str) -> str:
    return (
        f"Your reverse mentoring pairing with {other_name} has ended. Thank you for the time you gave each other. "
        "You stay in the program and will be considered in the next matching round."
    )


def not_working_alert(*, reporter: str, pairing: Pairing) -> tuple[str, list[dict[str, Any]]]:
    """What the leads see when someone says their match isn't working (nobody else sees it)."""
    other = pairing.mentee_id if reporter == pairing.mentor_id else pairing.mentor_id
    text = f"<@{reporter}> says their match with <@{other}> isn't working."
    blocks: list[Block] = [
        section(f":warning: {text} Nobody else has been told; you may want to reach out to them privately."),
        ActionsBlock(
            elements=[
                ButtonElement(
                    text="End this pair",
                    action_id=ids.A_PAIR_END,
                    value=str(pairing.id),
                    style="danger",
                    confirm=ConfirmObject(
                        title="End this pair?",
                        text="Both people are told kindly, and they won't be matched with each other again.",
                        confirm="End pair",
                        deny="Cancel",
                    ),
                )
            ]
        ),
    ]
    return text, _dicts(blocks)


def pairs_list(*, pairings: Sequence[Pairing], people: dict[str, Any]) -> tuple[str, list[dict[str, Any]]]:
    """The lead's view of active pairs, each with a button to end it."""
    if not pairings:
        return "No active pairs yet.", _dicts([section("No active pairs yet. `/mentoring match` proposes some.")])
    blocks: list[Block] = [HeaderBlock(text=f"Active pairs ({len(pairings)})")]
    for pairing in list(pairings)[:45]:
        names = f"{_name(people, pairing.mentor_id)} → {_name(people, pairing.mentee_id)}"
        blocks.append(
            SectionBlock(
                text=MarkdownTextObject(text=names),
                accessory=ButtonElement(
                    text="End pair",
                    action_id=ids.A_PAIR_END,
                    value=str(pairing.id),
                    confirm=ConfirmObject(
                        title="End this pair?",
                        text="Both people are told kindly, and they won't be matched with each other again.",
                        confirm="End pair",
                        deny="Cancel",
                    ),
                ),
            )
        )
    if len(pairings) > 45:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=f"…and {len(pairings) - 45} more.")]))
    return f"{len(pairings)} active pairs", _dicts(blocks)


def cadence_modal(*, anchor: int, current: Cadence) -> View:
    """Either partner changes how often the pair means to meet; both are told."""
    options = [Option(value=c.value, text=c.label) for c in Cadence]
    return View(
        type="modal",
        callback_id=ids.CADENCE_VIEW,
        private_metadata=str(anchor),
        title="How often we meet",
        submit="Change it",
        close="Cancel",
        blocks=[
            InputBlock(
                block_id=ids.B_CADENCE_CHOICE,
                label="We'll meet",
                hint="Your partner is told. Reminders and nudges follow the new rhythm.",
                element=StaticSelectElement(
                    action_id=ids.A_VALUE,
                    options=options,
                    initial_option=next(o for o in options if o.value == current.value),
                ),
            )
        ],
    )


def cadence_changed_text(*, by: str, cadence: Cadence) -> str:
    return (
        f":repeat: <@{by}> changed how often you meet: now {cadence.phrase}. "
        "Reminders and nudges follow the new rhythm."
    )
