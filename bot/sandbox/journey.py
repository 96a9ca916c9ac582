"""The scripted sandbox journey: real people-shaped actions against the real bot, narrated step by step.

Each step is something a person does in Slack; the transcript under it is what Slack showed them, taken from
the fake workspace's activity log (Block Kit rendered as text). Later features add steps here.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from bot.blocks import ids
from bot.domain.cycles import Span, closeout_day, midpoint
from bot.sandbox.clock import SimClock
from bot.sandbox.fake_slack import render_view
from bot.sandbox.local import LocalBot
from bot.sandbox.roster import LEAD, LEADS_CHANNEL
from scheduler import run_due_jobs
from storage.cycles import open_cycles
from storage.cycles import span as cycle_span
from storage.db import session_scope

Answers = dict[str, Any]

# Each person's sign-up answers, keyed by the modal's block ids.
SIGNUPS: dict[str, Answers] = {
    "U0PRIYA": {
        ids.B_ROLE: "mentor",
        ids.B_TEACH: ["genai", "data_analytics"],
        ids.B_SENIORITY: "early_career",
        ids.B_DEPARTMENT: "Data",
        ids.B_CADENCE: "biweekly",
        ids.B_CAPACITY: "2",
        ids.B_GOALS: "Help leaders get hands-on with AI tools, and learn how strategy is really made.",
    },
    "U0TOM": {
        ids.B_ROLE: "mentee",
        ids.B_LEARN: ["genai", "data_analytics"],
        ids.B_SENIORITY: "executive",
        ids.B_DEPARTMENT: "Finance",
        ids.B_CADENCE: "biweekly",
        ids.B_GOALS: "Stop nodding along in AI conversations; try the tools my team uses.",
        ids.B_SPONSOR: "U0OLIVER",
    },
    "U0AMARA": {
        ids.B_ROLE: "mentor",
        ids.B_TEACH: ["social_media", "genz_perspective"],
        ids.B_SENIORITY: "early_career",
        ids.B_DEPARTMENT: "Marketing",
        ids.B_CADENCE: "weekly",
    },
    "U0DIANE": {
        ids.B_ROLE: "mentee",
        ids.B_LEARN: ["social_media", "genz_perspective"],
        ids.B_SENIORITY: "executive",
        ids.B_DEPARTMENT: "Operations",
        ids.B_CADENCE: "weekly",
        ids.B_SPONSOR: "U0OLIVER",
    },
    "U0LEO": {
        ids.B_ROLE: "mentor",
        ids.B_TEACH: ["collaboration_tools", "no_code", "security_hygiene"],
        ids.B_SENIORITY: "early_career",
        ids.B_DEPARTMENT: "Engineering",
        ids.B_CADENCE: "biweekly",
    },
    "U0MARGARET": {
        ids.B_ROLE: "mentee",
        ids.B_LEARN: ["collaboration_tools", "genai"],
        ids.B_SENIORITY: "director",
        ids.B_DEPARTMENT: "Sales",
        ids.B_CADENCE: "monthly",
    },
    "U0SOFIA": {
        ids.B_ROLE: "both",
        ids.B_TEACH: ["hybrid_work", "diversity_inclusion"],
        ids.B_LEARN: ["leadership", "career_navigation"],
        ids.B_SENIORITY: "professional",
        ids.B_DEPARTMENT: "Design",
        ids.B_CADENCE: "biweekly",
    },
    "U0RAJESH": {
        ids.B_ROLE: "mentee",
        ids.B_LEARN: ["security_hygiene", "genai"],
        ids.B_SENIORITY: "director",
        ids.B_DEPARTMENT: "Legal",
        ids.B_CADENCE: "monthly",
    },
}
CONSENT = {ids.B_CONSENT: ["yes"]}
# Kwame joins once the program runs in cycles, and is matched in the first one.
KWAME: Answers = {
    ids.B_ROLE: "mentee",
    ids.B_LEARN: ["hybrid_work", "diversity_inclusion"],
    ids.B_SENIORITY: "manager",
    ids.B_DEPARTMENT: "Customer Success",
    ids.B_CADENCE: "biweekly",
}


@dataclass
class Journey:
    """Plays steps against a running bot and collects the transcript."""

    bot: LocalBot
    clock: SimClock
    lines: list[str] = field(default_factory=list)
    _seen: int = 0
    _step: int = 0

    def step(self, title: str, action: Callable[[], object]) -> None:
        """Do one thing as a person would, then record what Slack showed. Each takes a minute: people don't act
        all in the same instant, and the order of what they did is part of what the bot decides on."""
        self._step += 1
        self.clock.advance(timedelta(minutes=1))
        action()
        self.bot.settle()
        self.lines.append(f"\n── {self._step}. {title}")
        activity = [a for a in self.bot.fake.activity if a.seq > self._seen]
        if activity:
            self._seen = activity[-1].seq
        for item in activity:
            if item.kind in ("home_published", "modal_opened_detail"):
                continue
            self.lines.append(textwrap.indent(item.text.rstrip(), "   "))

    def fast_forward(self, until: datetime, *, every: timedelta = timedelta(hours=1)) -> None:
        """Let time pass, running the scheduler's sweep as the bot would, and narrate each sweep that did
        something people can see."""
        while self.clock() < until:
            now = self.clock.advance(min(every, until - self.clock()))
            # An hour of simulated time passes in milliseconds of real time: Slack's per-minute and
            # per-second windows would long have emptied, so the fake's (real-time) limiter starts afresh.
            self.bot.fake.reset_rate_limits()
            run_due_jobs(self.bot.services, self.bot.app.client, now=now)
            self.bot.settle()
            activity = [a for a in self.bot.fake.activity if a.seq > self._seen]
            if not activity:
                continue
            self._seen = activity[-1].seq
            self.lines.append(f"\n── {now:%A %-d %B, %H:%M} UTC: the scheduler's sweep")
            for item in activity:
                if item.kind != "home_published":
                    self.lines.append(textwrap.indent(item.text.rstrip(), "   "))

    def show(self, caption: str, view: dict[str, Any] | None) -> None:
        """Render a modal or Home tab in full, as the person sees it."""
        if view is None:
            self.lines.append(f"   ({caption}: nothing to show)")
            return
        rendered = render_view(view, users=self.bot.fake.user_names())
        self.lines.append(f"   {caption}:")
        self.lines.append(textwrap.indent(rendered.rstrip(), "   │ "))

    def sign_up(self, user_id: str) -> None:
        person = self.bot.fake.user(user_id)
        person.slash("/mentoring", "join")
        result = person.submit({**SIGNUPS[user_id], **CONSENT})
        if not result.closed:
            raise RuntimeError(f"sandbox sign-up of {user_id} was refused: {result.errors}")

    @property
    def text(self) -> str:
        return "\n".join(self.lines).lstrip("\n") + "\n"


def play(bot: LocalBot, clock: SimClock) -> str:
    """The journey so far: opting in, managing, a matching round, then a month of momentum."""
    j = Journey(bot, clock)
    fake = bot.fake
    priya, tom, diane = fake.user("U0PRIYA"), fake.user("U0TOM"), fake.user("U0DIANE")
    leo, rajesh, emma, kwame = fake.user("U0LEO"), fake.user("U0RAJESH"), fake.user("U0EMMA"), fake.user("U0KWAME")

    j.step("Priya (Data Analyst) has heard about the program and types /mentoring", lambda: priya.slash("/mentoring"))
    j.step("She types /mentoring join: the sign-up modal opens", lambda: priya.slash("/mentoring", "join"))
    j.show("The modal Priya sees", priya.modal)
    j.step(
        "She picks 'mentor' but forgets to say what she can teach: the modal answers inline",
        lambda: priya.submit(
            {ids.B_ROLE: "mentor", **{k: v for k, v in SIGNUPS["U0PRIYA"].items() if k != ids.B_TEACH}, **CONSENT}
        ),
    )
    j.step(
        "She adds Generative AI and Data & analytics and submits",
        lambda: priya.submit({ids.B_TEACH: SIGNUPS["U0PRIYA"][ids.B_TEACH]}),
    )
    j.step("Priya opens Turnabout's Home tab", priya.open_home)
    j.show("Priya's Home tab", priya.home)

    j.step("Tom (VP Finance) joins as a mentee, with the CEO as his sponsor", lambda: j.sign_up("U0TOM"))
    j.step(
        "From his welcome DM, Tom privately rates where he starts: 2 of 5 in Generative AI, 1 in data",
        lambda: _rate_confidence(tom, {"genai": "2", "data_analytics": "1"}),
    )
    for user_id, who in (
        ("U0AMARA", "Amara (Social Media Associate)"),
        ("U0DIANE", "Diane (COO)"),
        ("U0LEO", "Leo (Junior Software Engineer)"),
        ("U0MARGARET", "Margaret (Director of Sales)"),
        ("U0SOFIA", "Sofia (UX Designer), mentor and mentee at once"),
        ("U0RAJESH", "Rajesh (Head of Legal)"),
    ):
        j.step(f"{who} signs up", lambda user_id=user_id: j.sign_up(user_id))  # type: ignore[misc]

    j.step("Tom checks his status", lambda: tom.slash("/mentoring", "status"))
    j.step("Kwame hasn't joined yet and asks for his status", lambda: kwame.slash("/mentoring", "status"))
    j.step("Emma mistypes a subcommand", lambda: emma.slash("/mentoring", "sign me up"))

    j.step("Diane has a board offsite coming: she opens Home and clicks Pause", lambda: _pause_from_home(diane))
    j.show("Diane's Home tab", diane.home)
    j.step("Back early, Diane types /mentoring resume", lambda: diane.slash("/mentoring", "resume"))

    j.step(
        "Priya has more room: /mentoring edit opens her answers pre-filled", lambda: priya.slash("/mentoring", "edit")
    )
    j.show("Priya's answers, pre-filled", priya.modal)
    j.step("She raises her capacity to 3 mentees and saves", lambda: priya.submit({ids.B_CAPACITY: "3"}))

    lead = fake.user(LEAD)
    j.step(
        "Tom is curious and tries /mentoring match: only program leads can", lambda: tom.slash("/mentoring", "match")
    )
    j.step("Hana, the program lead, runs /mentoring match", lambda: lead.slash("/mentoring", "match"))
    clicks: list[Any] = []
    j.step("Hana reads the proposal and approves it", lambda: clicks.append(lead.click(ids.A_MATCH_APPROVE)))
    j.step(
        "Her click reaches Turnabout twice (a double click): nothing is sent twice",
        lambda: fake.send_interaction(clicks[0].payload),
    )
    tom_intro = _intro_for(bot, "U0TOM")
    j.step(
        "Tom reads the agreement in the introduction and clicks “We agree”",
        lambda: tom.click(ids.A_AGREE, where=_intro_for(bot, "U0TOM")),
    )
    j.step("Priya agrees too, for her whole group", lambda: priya.click(ids.A_AGREE, where=_intro_for(bot, "U0TOM")))
    j.step(
        "Priya meets her group, but Rajesh couldn't come: 'We met' asks her who was there",
        lambda: priya.click(ids.A_LOG_SESSION, where=tom_intro),
    )
    j.show("Who was there?", priya.modal)
    j.step(
        "She ticks only Tom: the session counts for Tom's pair, not Rajesh's",
        lambda: priya.submit({ids.B_ATTENDED: ["U0TOM"]}),
    )
    j.step("Tom clicks 'We met' too: it counts once", lambda: tom.click(ids.A_LOG_SESSION, where=tom_intro))
    j.step(
        "Tom clicks 'Schedule our next session': the form asks for a time in his own time zone",
        lambda: tom.click(ids.A_SCHEDULE, where=tom_intro),
    )
    j.show("The booking form", tom.modal)
    first_day = _weekday_in(bot, 14)
    j.step(
        "He books it, with a video link: the post shows each of them their own time, with a calendar invite",
        lambda: tom.submit(
            {ids.B_SCHED_DATE: first_day, ids.B_SCHED_TIME: "10:00", ids.B_SCHED_PLACE: "https://meet.example.com/pt"}
        ),
    )
    j.step(
        "Priya can't make it that day: she moves it to the next (same invite, updated)",
        lambda: _move(priya, _latest_booking(bot, "U0TOM"), _weekday_in(bot, 15)),
    )
    j.step(
        "Then Tom has to cancel it",
        lambda: tom.click(ids.A_BOOKING_CANCEL, where=_latest_booking(bot, "U0TOM")),
    )
    j.step(
        "He books a new time from the keyboard",
        lambda: tom.slash("/mentoring", f"schedule {_weekday_in(bot, 16)} 10:00 https://meet.example.com/pt"),
    )
    j.step(
        "A booking that can't stand is refused with the reason, and changes nothing",
        lambda: tom.slash("/mentoring", "schedule 2020-01-06 10:00"),
    )

    j.step("Leo pauses for 3 weeks from the command line", lambda: leo.slash("/mentoring", "pause 3"))
    j.step("Leo tries an impossible pause", lambda: leo.slash("/mentoring", "pause forever"))

    j.step("Rajesh changes his mind: /mentoring leave asks him first", lambda: rajesh.slash("/mentoring", "leave"))
    j.step(
        "He chooses to leave and delete his data: his mentor and the leads are told kindly",
        lambda: rajesh.click(ids.A_LEAVE_DELETE),
    )

    j.step(
        "Slack redelivers Tom's Home-tab event (a retry): answered once more, nothing breaks", lambda: _home_retry(tom)
    )
    # A month passes. The scheduler's sweep runs every few hours; only sweeps that did something are shown.
    start = clock()
    j.fast_forward(start + timedelta(hours=4))
    j.step("Tom answers his check-in privately: it went well", lambda: _answer_checkin(tom, fit="good", value="5"))
    j.step("Priya answers hers too", lambda: _answer_checkin(priya, fit="good", value="4"))
    amara = fake.user("U0AMARA")
    j.fast_forward(start + timedelta(days=8, hours=16))
    j.step(
        "Amara and Diane got the nudge and met: Amara logs it",
        lambda: amara.click(ids.A_LOG_SESSION, where=_latest_nudge(bot, "U0AMARA")),
    )
    j.fast_forward(start + timedelta(days=18))
    j.step(
        "After the booked time Turnabout asks if it happened: Tom says no. Two called off in a row: a kind note",
        lambda: tom.click(ids.A_BOOKING_MISSED, where=_latest_question(bot, "U0TOM")),
    )
    j.fast_forward(start + timedelta(days=33))
    j.step("Tom opens Turnabout's Home tab", tom.open_home)
    j.show("Tom's Home tab", tom.home)
    j.step(
        "Hana snoozes the stalled pair for two weeks from the leads' channel",
        lambda: lead.click(ids.A_LEAD_SNOOZE, where=_latest(bot.fake.messages(LEADS_CHANNEL.id))),
    )
    j.step("Hana checks how the program is doing", lambda: lead.slash("/mentoring", "report"))
    j.step("Hana opens her Home tab: the program at a glance, charts, and every pair worst first", lead.open_home)
    j.show("Hana's Home tab", lead.home)
    j.step("Hana exports the program to CSV for her quarterly review", lambda: lead.slash("/mentoring", "export"))
    j.step("Hana asks for help and sees the lead commands too", lambda: lead.slash("/mentoring", "help"))
    j.step(
        "Margaret leaves the company; IT deactivates her Slack account and Slack tells Turnabout",
        lambda: bot.fake.change_user("U0MARGARET", deleted=True),
    )
    j.step("Hana reviews the active pairs", lambda: lead.slash("/mentoring", "pairs"))
    _cycle(j)
    return j.text


def _cycle(j: Journey) -> None:
    """The program gets a beginning and an end: a cycle from its start to its close-out."""
    bot, fake = j.bot, j.bot.fake
    lead, kwame, tom = fake.user(LEAD), fake.user("U0KWAME"), fake.user("U0TOM")
    today = bot.services.clock().date()
    j.step("Hana gives the program a shape: /mentoring cycle opens the form", lambda: lead.slash("/mentoring", "cycle"))
    j.show("The cycle form", lead.modal)
    j.step(
        "She forgets the name: the form says so, and keeps her answers",
        lambda: lead.submit({ids.B_CYCLE_NAME: " ", ids.B_CYCLE_START: today.isoformat(), ids.B_CYCLE_LENGTH: "3"}),
    )
    j.step(
        "She calls it “Spring 2027”, from today, for 3 months: the active pairs join it",
        lambda: lead.submit({ids.B_CYCLE_NAME: "Spring 2027"}),
    )
    j.show("What the form says now", lead.modal)
    j.step("Kwame joins the program as a mentee", lambda: _sign_up_kwame(kwame))
    j.step("Hana runs /mentoring match: the round belongs to Spring 2027", lambda: lead.slash("/mentoring", "match"))
    j.step("She approves it", lambda: lead.click(ids.A_MATCH_APPROVE))
    j.step("Hana looks at the cycle", lambda: lead.slash("/mentoring", "cycle"))
    j.step(
        "She plans the next one, “Autumn 2027”, to start the day after Spring ends",
        lambda: _plan_next(lead, "Autumn 2027"),
    )
    j.show("What the form says now", lead.modal)
    j.step("Tom opens his Home tab: his pair's cycle and the days left", tom.open_home)
    j.show("Tom's Home tab", tom.home)
    spring = _open_cycle(bot, "Spring 2027")
    priya, amara, diane = fake.user("U0PRIYA"), fake.user("U0AMARA"), fake.user("U0DIANE")
    # A cycle moves by the day: daily sweeps from here on. Priya and Tom get back on track: every two weeks.
    for weeks in (2, 4, 6):
        _until_the_evening_of(j, spring.starts_on + timedelta(weeks=weeks))
        j.step(
            f"Week {weeks} of Spring 2027: Priya and Tom meet; both log it, and it counts once",
            lambda: _both_log(priya, tom),
        )
    _until_the_evening_of(j, midpoint(spring))
    j.step(
        "Halfway: Tom answers the pulse (it's going well, keep going) and rates his confidence again",
        lambda: _answer_survey(tom, ids.A_PULSE_OPEN, {ids.B_SURVEY_VALUE: "4", ids.B_SURVEY_HELP: "keep_going"}, "3"),
    )
    for weeks in (8, 10):
        _until_the_evening_of(j, spring.starts_on + timedelta(weeks=weeks))
        j.step(
            f"Week {weeks}: another session" + (", their fifth: a milestone for Priya" if weeks == 8 else ""),
            lambda: _both_log(priya, tom),
        )
    _until_the_evening_of(j, closeout_day(spring))
    j.step(
        "Two weeks before the end, Tom answers the close-out: he wants to carry on, and thanks Priya in words "
        "the program may quote",
        lambda: _answer_survey(tom, ids.A_CLOSEOUT_OPEN, CLOSEOUT_TOM, "4"),
    )
    j.step(
        "Priya wants to carry on too, and says yes to a shout-out in the program channel",
        lambda: _answer_survey(priya, ids.A_CLOSEOUT_OPEN, CLOSEOUT_PRIYA, "3"),
    )
    j.step(
        "Amara would carry on",
        lambda: _answer_survey(amara, ids.A_CLOSEOUT_OPEN, {**CLOSEOUT_BASE, ids.B_SURVEY_CONTINUE: "continue"}, "3"),
    )
    j.step(
        "Diane would rather close the pair",
        lambda: _answer_survey(diane, ids.A_CLOSEOUT_OPEN, {**CLOSEOUT_BASE, ids.B_SURVEY_CONTINUE: "close"}, "3"),
    )
    # Sofia and Kwame don't answer: no answer is no, so their pair closes with a thank-you. The cycle settles the
    # day after its last; the notes wait for the working week like any sweep message.
    end = spring.ends_on + timedelta(days=4)
    _until_the_evening_of(j, end)
    j.step("Tom opens his Home tab: his pair carries on into Autumn 2027", tom.open_home)
    j.show("Tom's Home tab", tom.home)
    j.step("Hana looks at the cycle: Autumn 2027 is running", lambda: lead.slash("/mentoring", "cycle"))


CLOSEOUT_BASE: Answers = {ids.B_SURVEY_VALUE: "4", ids.B_SURVEY_RECOMMEND: "8"}
CLOSEOUT_TOM: Answers = {
    ids.B_SURVEY_VALUE: "5",
    ids.B_SURVEY_RECOMMEND: "9",
    ids.B_SURVEY_CHANGED: "I draft my board papers with AI now, and check them properly.",
    ids.B_SURVEY_CONTINUE: "continue",
    ids.B_SURVEY_THANKS: "Priya made AI feel possible for me, one real task at a time.",
    ids.B_SURVEY_QUOTE: ["may_quote"],
}
CLOSEOUT_PRIYA: Answers = {
    ids.B_SURVEY_VALUE: "5",
    ids.B_SURVEY_RECOMMEND: "10",
    ids.B_SURVEY_CONTINUE: "continue",
    ids.B_SURVEY_OPT_IN: ["shout_out"],
}


def _answer_survey(person: Any, action_id: str, answers: Answers, confidence: str) -> None:
    """Open the latest survey of this kind from the person's DMs and answer it: the given answers, and the same
    confidence for every topic it asks about."""
    prompt = next(m for m in reversed(person.dms) if action_id in str(m))
    person.click(action_id, where=prompt)
    modal = person.modal
    if modal is None:
        raise RuntimeError(f"no survey opened for {person}")
    present = {str(b.get("block_id")) for b in modal["blocks"]}
    values = {k: v for k, v in answers.items() if k in present}
    values |= {b: confidence for b in present if b.startswith(ids.B_SURVEY_CONFIDENCE)}
    result = person.submit(values)
    if result.errors:
        raise RuntimeError(f"the survey refused {person}'s answers: {result.errors}")
    person.close()


def _rate_confidence(person: Any, ratings: dict[str, str]) -> None:
    prompt = next(m for m in reversed(person.dms) if ids.A_CONFIDENCE_OPEN in str(m))
    person.click(ids.A_CONFIDENCE_OPEN, where=prompt)
    result = person.submit({ids.B_CONFIDENCE_PREFIX + topic: value for topic, value in ratings.items()})
    if result.errors:
        raise RuntimeError(f"the confidence ratings were refused: {result.errors}")


def _sign_up_kwame(person: Any) -> None:
    person.slash("/mentoring", "join")
    result = person.submit({**KWAME, **CONSENT})
    if not result.closed:
        raise RuntimeError(f"sandbox sign-up of Kwame was refused: {result.errors}")


def _plan_next(lead: Any, name: str) -> None:
    overview = next(e for e in reversed(lead.ephemerals) if ids.A_CYCLE_PLAN in str(e))
    lead.click(ids.A_CYCLE_PLAN, where=overview)
    lead.submit({ids.B_CYCLE_NAME: name, ids.B_CYCLE_LENGTH: "6"})


def _open_cycle(bot: LocalBot, name: str) -> Span:
    with session_scope(bot.services.engine) as session:
        cycle = next(c for c in open_cycles(session=session) if c.name == name)
        return cycle_span(cycle)


def _until_the_evening_of(j: Journey, day: date) -> None:
    """Sweep twice a day, at 09:00 and 15:00 UTC, until the morning of `day`, then every three hours to its
    evening. The bot sweeps every few minutes; two sweeps a day inside the working hours of Kolkata and of New
    York deliver the same messages on the same days (held ones included), with a readable transcript."""
    target = datetime.combine(day, time(9, 0), tzinfo=UTC)
    moment = datetime.combine(j.clock().date(), time(9, 0), tzinfo=UTC)
    while moment < target:
        for at in (moment, moment + timedelta(hours=6)):
            if j.clock() < at <= target:
                j.fast_forward(at, every=at - j.clock())
        moment += timedelta(days=1)
    j.fast_forward(target, every=max(target - j.clock(), timedelta(minutes=1)))
    j.fast_forward(datetime.combine(day, time(18, 0), tzinfo=UTC), every=timedelta(hours=3))


def _both_log(*people: Any) -> None:
    for person in people:
        person.slash("/mentoring", "log")


def _pause_from_home(person: Any) -> None:
    person.open_home()
    person.click(ids.A_PAUSE, where="home")
    person.submit({ids.B_PAUSE_WEEKS: "4"})


def _home_retry(person: Any) -> None:
    person.open_home()
    person.open_home(retry_num=1)


def _intro_for(bot: LocalBot, mentee_id: str) -> dict[str, Any]:
    for call in bot.fake.calls_to("conversations.open"):
        if call.response.get("ok") and mentee_id in call.args.get("users", "") and "," in call.args["users"]:
            return bot.fake.messages(call.response["channel"]["id"])[0]
    raise RuntimeError(f"no introduction for {mentee_id}")


def _weekday_in(bot: LocalBot, days: int) -> str:
    """The first weekday at least `days` from now (sessions are booked in working weeks)."""
    day = (bot.services.clock() + timedelta(days=days)).date()
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day.isoformat()


def _pair_messages(bot: LocalBot, mentee_id: str) -> list[dict[str, Any]]:
    """Everything posted in the conversations this mentee shares with their mentor (a group's, and the new one
    once a groupmate left), oldest first."""
    channels: list[str] = []
    for call in bot.fake.calls_to("conversations.open"):
        users = str(call.args.get("users", ""))
        if call.response.get("ok") and mentee_id in users and "," in users:
            channels.append(call.response["channel"]["id"])
    channels = list(dict.fromkeys(channels))
    if not channels:
        raise RuntimeError(f"no conversation for {mentee_id}")
    messages = [m for channel in channels for m in bot.fake.messages(channel)]
    return sorted(messages, key=lambda m: float(m.get("ts", 0)))


def _latest_booking(bot: LocalBot, mentee_id: str) -> dict[str, Any]:
    return _latest([m for m in _pair_messages(bot, mentee_id) if ids.A_BOOKING_CANCEL in str(m)])


def _latest_question(bot: LocalBot, mentee_id: str) -> dict[str, Any]:
    return _latest([m for m in _pair_messages(bot, mentee_id) if ids.A_BOOKING_HELD in str(m)])


def _move(person: Any, booking: dict[str, Any], day: str) -> None:
    person.click(ids.A_BOOKING_MOVE, where=booking)
    person.submit({ids.B_SCHED_DATE: day})


def _answer_checkin(person: Any, *, fit: str, value: str) -> None:
    prompt = next(m for m in reversed(person.dms) if ids.A_CHECKIN_OPEN in str(m))
    person.click(ids.A_CHECKIN_OPEN, where=prompt)
    person.submit({ids.B_CHECKIN_MET: "all", ids.B_CHECKIN_VALUE: value, ids.B_CHECKIN_FIT: fit})


def _latest(messages: list[dict[str, Any]]) -> dict[str, Any]:
    if not messages:
        raise RuntimeError("expected a message that never came")
    return messages[-1]


def _latest_nudge(bot: LocalBot, user_id: str) -> dict[str, Any]:
    for call in reversed(bot.fake.calls_to("conversations.open")):
        users = call.args.get("users", "")
        if user_id in users and "," in users and call.response.get("ok"):
            nudges = [m for m in bot.fake.messages(call.response["channel"]["id"]) if ":seedling:" in str(m)]
            if nudges:
                return nudges[-1]
    raise RuntimeError(f"no nudge for {user_id}")
