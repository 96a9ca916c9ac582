"""A cycle's surveys (the midpoint pulse, the close-out) and, once it closes, the recognition mentors opted into.

`bot/usecases/cycles.py` decides when: it calls these on the cycle's midpoint, near its end and after it closes.
Each is idempotent (outbox keys), so a job that runs twice queues nothing twice.

People answer through a button that opens a modal; the button and the modal carry the cycle and the pair, so an
old survey never lands in a later cycle. Answering again replaces the answer (one row). Private words (what
changed, words of thanks) are stored for the person alone: a mentee's thanks are repeated only when they ticked
that they may be quoted (to the mentor in their thank-you, and in the shout-out and manager's note the mentor
opted into); what changed is never repeated.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from slack_sdk.models.views import View
from sqlmodel import Session, col, select

from bot.blocks import ids
from bot.blocks import surveys as views
from bot.blocks.home import ConfidenceLine
from bot.domain import surveys as rules
from bot.domain.cycles import ConfidenceStage, CycleStatus, Span, SurveyKind, midpoint
from bot.domain.inputs import whole_number
from bot.domain.outbox import MessageKind, keys
from bot.domain.people import Status
from bot.domain.rounds import PairingStatus
from bot.domain.timezones import local_date
from bot.usecases.errors import CycleClosed, NotJoined, NotYourSurvey, PairEnded
from bot.usecases.membership import lead_drafts
from bot.usecases.services import Services
from storage.db import session_scope
from storage.goals import latest_progress
from storage.models import Cycle, Goal, Pairing, Participant, SurveyAnswer
from storage.momentum import answer_prompts
from storage.outbox import Draft, enqueue
from storage.participants import participants_by_id
from storage.surveys import (
    answer_of,
    closeouts_of,
    confidence_history,
    pairings_in_cycle,
    ratings_of,
    save_answer,
    save_confidence,
    sessions_between,
    settled_outcomes,
)


def _open_cycle(session: Session, cycle_id: int) -> Cycle | None:
    cycle = session.get(Cycle, cycle_id)
    return cycle if cycle is not None and cycle.status == CycleStatus.OPEN else None


def _send_surveys(services: Services, *, cycle_id: int, kind: MessageKind) -> list[str]:
    now = services.clock()
    queued: list[str] = []
    with session_scope(services.engine) as session:
        cycle = _open_cycle(session, cycle_id)
        if cycle is None:
            return []  # a closed cycle asks nothing more
        pairs = pairings_in_cycle(session=session, cycle_id=cycle_id, active_only=True)
        # Only pairs the cycle holds now: a pair whose part in this cycle is over has moved on.
        pairs = [p for p in pairs if p.cycle_id == cycle_id]
        if kind is MessageKind.PULSE:
            # "Halfway through" means nothing to a pair matched after the midpoint: their first survey is the
            # close-out.
            tz = services.settings.turnabout_program_tz
            half = midpoint(Span(cycle_id, cycle.name, cycle.starts_on, cycle.ends_on))
            pairs = [p for p in pairs if (_day(p.approved_at, tz) or cycle.starts_on) <= half]
        folks = participants_by_id(session=session, user_ids=[u for p in pairs for u in (p.mentor_id, p.mentee_id)])
        for pairing in pairs:
            assert pairing.id is not None
            for user_id, other_id in ((pairing.mentor_id, pairing.mentee_id), (pairing.mentee_id, pairing.mentor_id)):
                person = folks.get(user_id)
                if person is None or person.status == Status.LEFT:
                    continue  # someone who left gets nothing (a paused person's pulse is dropped at delivery)
                other = folks.get(other_id)
                other_name = other.name if other and other.name else "your match"
                if kind is MessageKind.PULSE:
                    key = keys.pulse(cycle_id, pairing.id, user_id)
                    text, blocks = views.pulse_prompt(
                        cycle_name=cycle.name, other_name=other_name, cycle_id=cycle_id, pairing_id=pairing.id
                    )
                else:
                    key = keys.closeout(cycle_id, pairing.id, user_id)
                    text, blocks = views.closeout_prompt(
                        cycle_name=cycle.name, other_name=other_name, cycle_id=cycle_id, pairing_id=pairing.id
                    )
                draft = Draft(key=key, kind=kind, users=[user_id], text=text, blocks=blocks, pairing_id=pairing.id)
                if enqueue(session=session, draft=draft, now=now):
                    queued.append(key)
    return queued


def send_pulses(services: Services, *, cycle_id: int) -> list[str]:
    """Queue the midpoint pulse (and the midpoint confidence question) for each person of each active pair in
    the cycle. Returns the keys queued."""
    return _send_surveys(services, cycle_id=cycle_id, kind=MessageKind.PULSE)


def send_closeouts(services: Services, *, cycle_id: int) -> list[str]:
    """Queue the close-out survey for each person still taking part in each active pair of the cycle."""
    return _send_surveys(services, cycle_id=cycle_id, kind=MessageKind.CLOSEOUT)


# --- answering ---


@dataclass(frozen=True)
class SurveyRef:
    """Which survey a button or modal is about."""

    cycle_id: int
    pairing_id: int


def parse_ref(value: str | None, *, high: int) -> SurveyRef | None:
    """A survey's "<cycle id>:<pairing id>", or None for anything we could not have written."""
    cycle, _, pairing = str(value or "").partition(":")
    cycle_id, pairing_id = whole_number(cycle, low=1, high=high), whole_number(pairing, low=1, high=high)
    if cycle_id is None or pairing_id is None:
        return None
    return SurveyRef(cycle_id, pairing_id)


@dataclass(frozen=True)
class _Context:
    cycle: Cycle
    pairing: Pairing
    person: Participant
    other_name: str

    @property
    def you_mentor(self) -> bool:
        return self.pairing.mentor_id == self.person.slack_user_id

    @property
    def other_id(self) -> str:
        return self.pairing.mentee_id if self.you_mentor else self.pairing.mentor_id


def _context(session: Session, user_id: str, ref: SurveyRef) -> _Context:
    """The survey's cycle and pair, checked: the person's own pair, still going, in a cycle still open."""
    pairing = session.get(Pairing, ref.pairing_id)
    if pairing is None or user_id not in (pairing.mentor_id, pairing.mentee_id):
        raise NotYourSurvey
    cycle = session.get(Cycle, ref.cycle_id)
    known = pairing.cycle_id == ref.cycle_id or ref.pairing_id in settled_outcomes(
        session=session, cycle_id=ref.cycle_id
    )
    if cycle is None or not known:
        raise NotYourSurvey
    if cycle.status == CycleStatus.CLOSED:
        raise CycleClosed
    if pairing.status != PairingStatus.ACTIVE:
        raise PairEnded
    other_id = pairing.mentee_id if pairing.mentor_id == user_id else pairing.mentor_id
    folks = participants_by_id(session=session, user_ids=[user_id, other_id])
    person = folks.get(user_id)
    if person is None or person.status == Status.LEFT:
        raise NotJoined
    other = folks.get(other_id)
    return _Context(cycle, pairing, person, other.name if other and other.name else "your match")


def _topics(services: Services, person: Participant) -> list[tuple[str, str]]:
    """What the person wants to learn (a mentor: what they want to learn back), with labels."""
    return [(topic, services.catalogue.label(topic)) for topic in person.learn_topics]


def _previous(session: Session, user_id: str, ref: SurveyRef, kind: SurveyKind) -> views.Previous:
    """The person's last answer to this survey, so answering again starts from it."""
    stage = ConfidenceStage.MIDPOINT if kind == SurveyKind.PULSE else ConfidenceStage.CLOSEOUT
    rated = ratings_of(session=session, user_id=user_id, stage=stage, cycle_id=ref.cycle_id)
    last = answer_of(session=session, cycle_id=ref.cycle_id, pairing_id=ref.pairing_id, user_id=user_id, kind=kind)
    if last is None:
        return views.Previous(confidence=rated)
    ticked = {
        option
        for option, chosen in (
            (views.MAY_QUOTE, last.may_quote),
            (views.SHOUT_OUT, last.shout_out),
            (views.MANAGER_NOTE, last.manager_note),
        )
        if chosen
    }
    return views.Previous(
        value=str(last.value) if last.value is not None else None,
        help=views.NEED_HELP if last.need_help else views.KEEP_GOING,
        recommend=str(last.recommend) if last.recommend is not None else None,
        continue_pair=None if last.continue_pair is None else views.CONTINUE if last.continue_pair else views.CLOSE,
        changed=last.changed,
        thanks=last.thanks,
        ticked=frozenset(ticked),
        confidence=rated,
    )


def pulse_modal_for(services: Services, *, user_id: str, ref: SurveyRef) -> View:
    with session_scope(services.engine, read_only=True) as session:
        found = _context(session, user_id, ref)
        topics = _topics(services, found.person)
        previous = _previous(session, user_id, ref, SurveyKind.PULSE)
    return views.pulse_modal(
        cycle_name=found.cycle.name,
        other_name=found.other_name,
        value=views.survey_value(ref.cycle_id, ref.pairing_id),
        topics=topics,
        previous=previous,
    )


def _goals(session: Session, found: _Context) -> list[tuple[str, str]]:
    """The pair's goals (theirs to see), yours first."""
    rows = list(
        session.exec(
            select(Goal)
            .where(col(Goal.pairing_id) == found.pairing.id)
            .order_by(col(Goal.owner_id) != found.person.slack_user_id, col(Goal.position))
        )
    )
    return [("Yours" if g.owner_id == found.person.slack_user_id else found.other_name, g.text) for g in rows]


def closeout_modal_for(services: Services, *, user_id: str, ref: SurveyRef) -> View:
    with session_scope(services.engine, read_only=True) as session:
        found = _context(session, user_id, ref)
        topics = _topics(services, found.person)
        goals = _goals(session, found)
        progress = latest_progress(session=session, pairing_ids=[ref.pairing_id])
        previous = _previous(session, user_id, ref, SurveyKind.CLOSEOUT)
        manager_name: str | None = None
        if found.you_mentor and found.person.manager_id:
            manager = participants_by_id(session=session, user_ids=[found.person.manager_id]).get(
                found.person.manager_id
            )
            manager_name = manager.name if manager and manager.name else None
    form = views.CloseoutForm(
        cycle_name=found.cycle.name,
        other_name=found.other_name,
        value=views.survey_value(ref.cycle_id, ref.pairing_id),
        you_mentor=found.you_mentor,
        topics=topics,
        goals=goals,
        my_progress=progress.get((ref.pairing_id, user_id)),
        their_progress=progress.get((ref.pairing_id, found.other_id)),
        offer_shout_out=found.you_mentor and services.settings.turnabout_celebration_channel is not None,
        offer_manager_note=found.you_mentor and found.person.manager_id is not None,
        manager_name=manager_name,
        previous=previous,
    )
    return views.closeout_modal(form)


def _picked(values: dict[str, dict[str, Any]], block_id: str) -> str | None:
    option = (values.get(block_id, {}).get(ids.A_VALUE) or {}).get("selected_option") or {}
    value = option.get("value")
    return str(value) if value is not None else None


def _typed(values: dict[str, dict[str, Any]], block_id: str) -> str:
    return str((values.get(block_id, {}).get(ids.A_VALUE) or {}).get("value") or "").strip()


def _ticked(values: dict[str, dict[str, Any]], block_id: str) -> set[str]:
    options = (values.get(block_id, {}).get(ids.A_VALUE) or {}).get("selected_options") or []
    return {str(o.get("value")) for o in options if isinstance(o, dict)}


def _confidence(values: dict[str, dict[str, Any]]) -> dict[str, int | None]:
    return {
        block_id.removeprefix(ids.B_SURVEY_CONFIDENCE): whole_number(
            _picked(values, block_id), low=rules.VALUE_LOW, high=rules.VALUE_HIGH
        )
        for block_id in values
        if block_id.startswith(ids.B_SURVEY_CONFIDENCE)
    }


def read_pulse(values: dict[str, dict[str, Any]]) -> rules.PulseAnswers:
    help_choice = _picked(values, ids.B_SURVEY_HELP)
    return rules.PulseAnswers(
        value=whole_number(_picked(values, ids.B_SURVEY_VALUE), low=rules.VALUE_LOW, high=rules.VALUE_HIGH),
        need_help={views.KEEP_GOING: False, views.NEED_HELP: True}.get(help_choice or ""),
        confidence=_confidence(values),
    )


def read_closeout(values: dict[str, dict[str, Any]]) -> rules.CloseoutAnswers:
    opted = _ticked(values, ids.B_SURVEY_OPT_IN)
    return rules.CloseoutAnswers(
        value=whole_number(_picked(values, ids.B_SURVEY_VALUE), low=rules.VALUE_LOW, high=rules.VALUE_HIGH),
        recommend=whole_number(
            _picked(values, ids.B_SURVEY_RECOMMEND), low=rules.RECOMMEND_LOW, high=rules.RECOMMEND_HIGH
        ),
        continue_pair={views.CONTINUE: True, views.CLOSE: False}.get(_picked(values, ids.B_SURVEY_CONTINUE) or ""),
        confidence=_confidence(values),
        changed=_typed(values, ids.B_SURVEY_CHANGED),
        thanks=_typed(values, ids.B_SURVEY_THANKS),
        may_quote=views.MAY_QUOTE in _ticked(values, ids.B_SURVEY_QUOTE),
        shout_out=views.SHOUT_OUT in opted,
        manager_note=views.MANAGER_NOTE in opted,
    )


def _ratings(found: _Context, confidence: dict[str, int | None]) -> dict[str, int]:
    # Only the person's own topics, as they stand now: a forged block for another topic is ignored.
    return {t: v for t in found.person.learn_topics if (v := confidence.get(t)) is not None}


def pulse_errors(services: Services, *, user_id: str, ref: SurveyRef, answers: rules.PulseAnswers) -> dict[str, str]:
    """Inline errors for a pulse (by block id); empty when it can be stored."""
    with session_scope(services.engine, read_only=True) as session:
        found = _context(session, user_id, ref)
    return views.problem_errors(rules.pulse_problems(answers, topics=tuple(found.person.learn_topics)))


def submit_pulse(services: Services, *, user_id: str, ref: SurveyRef, answers: rules.PulseAnswers) -> list[str]:
    """Store the pulse (the last answer stands) and the midpoint confidence; "need help" tells the leads, once,
    who asked and about which pair, nothing more. Returns the keys queued."""
    now = services.clock()
    with session_scope(services.engine) as session:
        found = _context(session, user_id, ref)
        if rules.pulse_problems(answers, topics=tuple(found.person.learn_topics)):
            raise ValueError("validate the pulse first (pulse_errors)")
        save_answer(
            session=session,
            answer=SurveyAnswer(
                cycle_id=ref.cycle_id,
                pairing_id=ref.pairing_id,
                user_id=user_id,
                kind=SurveyKind.PULSE,
                value=answers.value,
                need_help=bool(answers.need_help),
                answered_at=now,
                updated_at=now,
            ),
        )
        answer_prompts(session=session, user_id=user_id, now=now)  # a sign of life: not silent, not a ghost
        save_confidence(
            session=session,
            user_id=user_id,
            stage=ConfidenceStage.MIDPOINT,
            cycle_id=ref.cycle_id,
            ratings=_ratings(found, dict(answers.confidence)),
            now=now,
        )
        if not answers.need_help:
            return []
        text, blocks = views.help_alert(
            user_id=user_id,
            name=found.person.name or user_id,
            other_name=found.other_name,
            cycle_name=found.cycle.name,
            pairing_id=ref.pairing_id,
        )
        key = keys.pulse_help(ref.cycle_id, ref.pairing_id, user_id)
        return [
            draft.key
            for draft in lead_drafts(services, key=key, text=text, blocks=blocks, pairing_id=ref.pairing_id)
            if enqueue(session=session, draft=draft, now=now)
        ]


def closeout_errors(
    services: Services, *, user_id: str, ref: SurveyRef, answers: rules.CloseoutAnswers
) -> dict[str, str]:
    with session_scope(services.engine, read_only=True) as session:
        found = _context(session, user_id, ref)
    return views.problem_errors(rules.closeout_problems(answers, topics=tuple(found.person.learn_topics)))


def submit_closeout(services: Services, *, user_id: str, ref: SurveyRef, answers: rules.CloseoutAnswers) -> str:
    """Store the close-out (the last answer stands) and the close-out confidence. A mentee's thanks and consent
    to quote, and a mentor's opt-ins, are kept only for the side they belong to. Returns the partner's name."""
    now = services.clock()
    with session_scope(services.engine) as session:
        found = _context(session, user_id, ref)
        if rules.closeout_problems(answers, topics=tuple(found.person.learn_topics)):
            raise ValueError("validate the close-out first (closeout_errors)")
        mentor = found.you_mentor
        save_answer(
            session=session,
            answer=SurveyAnswer(
                cycle_id=ref.cycle_id,
                pairing_id=ref.pairing_id,
                user_id=user_id,
                kind=SurveyKind.CLOSEOUT,
                value=answers.value,
                recommend=answers.recommend,
                changed=answers.changed,
                continue_pair=answers.continue_pair,
                thanks="" if mentor else answers.thanks,
                may_quote=False if mentor else answers.may_quote,
                # An option that wasn't offered can't be chosen, even in a forged submission.
                shout_out=mentor and answers.shout_out and services.settings.turnabout_celebration_channel is not None,
                manager_note=mentor and answers.manager_note and found.person.manager_id is not None,
                answered_at=now,
                updated_at=now,
            ),
        )
        answer_prompts(session=session, user_id=user_id, now=now)
        save_confidence(
            session=session,
            user_id=user_id,
            stage=ConfidenceStage.CLOSEOUT,
            cycle_id=ref.cycle_id,
            ratings=_ratings(found, dict(answers.confidence)),
            now=now,
        )
        return found.other_name


# --- recognition ---


def send_celebrations(services: Services, *, cycle_id: int) -> list[str]:
    """After the cycle closed: thank each mentor for the completed cycle, and send the shout-outs and manager
    notes mentors opted into."""
    now = services.clock()
    channel = services.settings.turnabout_celebration_channel
    tz = services.settings.turnabout_program_tz
    queued: list[str] = []
    with session_scope(services.engine) as session:
        cycle = session.get(Cycle, cycle_id)
        if cycle is None or cycle.status != CycleStatus.CLOSED:
            return []  # recognition comes once the cycle is over
        settled = settled_outcomes(session=session, cycle_id=cycle_id)
        pairs = [
            p
            for p in pairings_in_cycle(session=session, cycle_id=cycle_id, active_only=False)
            if p.id is not None
            and rules.saw_cycle_through(
                settled=settled.get(p.id, False),
                active=p.status == PairingStatus.ACTIVE,
                in_cycle_now=p.cycle_id == cycle_id,
                ended_on=_day(p.ended_at, tz),
                cycle_ends_on=cycle.ends_on,
            )
        ]
        pairing_ids = [p.id for p in pairs if p.id is not None]
        answers = closeouts_of(session=session, cycle_id=cycle_id, pairing_ids=pairing_ids)
        held = sessions_between(session=session, pairing_ids=pairing_ids, first=cycle.starts_on, last=cycle.ends_on)
        folks = participants_by_id(session=session, user_ids=[u for p in pairs for u in (p.mentor_id, p.mentee_id)])
        for pairing in pairs:
            assert pairing.id is not None
            mentor = folks.get(pairing.mentor_id)
            if mentor is None or mentor.status == Status.LEFT:
                continue  # nothing for someone who left, or whose data is gone
            mentee = folks.get(pairing.mentee_id)
            mentee_name = mentee.name if mentee and mentee.name else "your mentee"
            mentee_answer = answers.get((pairing.id, pairing.mentee_id))
            quote = rules.quotable(mentee_answer.thanks, mentee_answer.may_quote) if mentee_answer else None
            topics = services.catalogue.labels(list(pairing.shared_topics))
            sessions = held.get(pairing.id, 0)
            first = max(cycle.starts_on, _day(pairing.approved_at, tz) or cycle.starts_on)
            text = views.cycle_thanks(
                cycle_name=cycle.name,
                mentee_name=mentee_name,
                sessions=sessions,
                first=first,
                last=cycle.ends_on,
                topics=topics,
                quote=quote,
            )
            drafts = [
                Draft(
                    key=keys.cycle_thanks(cycle_id, pairing.id),
                    kind=MessageKind.CYCLE_THANKS,
                    users=[pairing.mentor_id],
                    text=text,
                    blocks=[],
                    pairing_id=pairing.id,
                )
            ]
            credit = views.Credit(pairing.mentor_id, cycle.name, sessions, topics, quote, mentee_name)
            opted = answers.get((pairing.id, pairing.mentor_id))
            if opted is not None and opted.shout_out and channel:
                text, blocks = views.shout_out(credit)
                drafts.append(
                    Draft(
                        key=keys.shout_out(cycle_id, pairing.id),
                        kind=MessageKind.SHOUT_OUT,
                        channel=channel,
                        text=text,
                        blocks=blocks,
                        pairing_id=pairing.id,
                    )
                )
            if opted is not None and opted.manager_note and mentor.manager_id:
                text, blocks = views.manager_note(credit)
                drafts.append(
                    Draft(
                        key=keys.manager_note(cycle_id, pairing.id),
                        kind=MessageKind.MANAGER_NOTE,
                        users=[mentor.manager_id],
                        text=text,
                        blocks=blocks,
                        pairing_id=pairing.id,
                    )
                )
            queued += [d.key for d in drafts if enqueue(session=session, draft=d, now=now)]
    return queued


def _day(moment: datetime | None, tz: str) -> date | None:
    """The program's date of a moment (a cycle's days are the program time zone's dates, not UTC's)."""
    return local_date(moment, tz) if moment is not None else None


def my_confidence(services: Services, user_id: str) -> list[ConfidenceLine]:
    """The person's own confidence per topic, before and after, once they have rated it again in a cycle: the
    sign-up baseline and the latest midpoint and close-out ratings. Empty until then."""
    with session_scope(services.engine, read_only=True) as session:
        history = confidence_history(session=session, user_id=user_id)
    # A pair that rolled over is asked again in the next cycle: "after" is the latest cycle's midpoint and
    # close-out, never one cycle's midpoint beside an earlier cycle's close-out.
    last_cycle = {row.topic: row.cycle_id for row in history if row.stage != ConfidenceStage.SIGNUP}
    latest: dict[tuple[str, ConfidenceStage], int] = {}
    for row in history:  # oldest first: later ratings win
        if row.stage == ConfidenceStage.SIGNUP or row.cycle_id == last_cycle.get(row.topic):
            latest[(row.topic, row.stage)] = row.value
    rated_again = list(dict.fromkeys(t for t, stage in latest if stage != ConfidenceStage.SIGNUP))
    return [
        ConfidenceLine(
            topic=services.catalogue.label(topic),
            signup=latest.get((topic, ConfidenceStage.SIGNUP)),
            midpoint=latest.get((topic, ConfidenceStage.MIDPOINT)),
            closeout=latest.get((topic, ConfidenceStage.CLOSEOUT)),
        )
        for topic in rated_again
    ]
