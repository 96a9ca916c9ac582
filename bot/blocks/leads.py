"""What program leads read: the program at a glance, the three measures, the pairs (paged, worst first) with the
actions each needs, the charts, the report, the monthly digest and the export's comment.

Survey figures appear only over `MIN_ANSWERS` answers or more, and no private words ever: leads see numbers.
Blocks are plain dicts: the leads' Home tab is rebuilt on every page turn.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from bot.blocks import ids
from bot.blocks.common import slack_date
from bot.domain.goals import MIN_MEASURED, SkillFigure
from bot.domain.measures import MIN_ANSWERS, Charts, Measures, MonthChange, Overview, PairPage, PairRow
from bot.domain.momentum.state import Standing

Block = dict[str, Any]

STANDING_LABELS = {
    Standing.NOT_STARTED: ":white_circle: not started",
    Standing.ON_TRACK: ":large_green_circle: on track",
    Standing.COOLING: ":large_yellow_circle: cooling",
    Standing.LAPSED: ":red_circle: lapsed",
    Standing.PAUSED: ":double_vertical_bar: paused",
}
# How many answers before the satisfaction figure also shows how they spread over 1-5.
SPREAD_MIN_ANSWERS = 10
FILTERS = (("attention", "Needs attention"), ("not_started", "Not started"), ("all", "All pairs"))
EMPTY_FILTER = {
    "attention": "No pair needs a lead right now. :tada:",
    "not_started": "Every pair has had its first session.",
    "all": "No active pairs yet. `/mentoring match` proposes some.",
}


ALREADY_NUDGED = "That pair was already nudged from here today; one nudge a day is plenty."
STALE_HOME_BUTTON = "That button is out of date; here is your Home tab as it is now."


def escape(text: str) -> str:
    """Text people typed (names), safe inside mrkdwn: Slack reads &, < and > as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str, **extra: Any) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}, **extra}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:3000]}]}


def _button(text: str, action_id: str, value: str, *, style: str | None = None, confirm: Block | None = None) -> Block:
    button: Block = {"type": "button", "text": {"type": "plain_text", "text": text}, "action_id": action_id}
    button["value"] = value
    if style:
        button["style"] = style
    if confirm:
        button["confirm"] = confirm
    return button


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n:,} {one if n == 1 else (many or one + 's')}"


# --- the program at a glance and the three measures ---


def overview_text(overview: Overview, *, sessions: str | None = None) -> str:
    """The program at a glance; `sessions` replaces the this-month-so-far line (the digest speaks of a month)."""
    counts = overview.counts
    change = overview.sessions_this_month - overview.sessions_last_month_to_date
    trend = "same as" if change == 0 else (f"{abs(change):,} more than" if change > 0 else f"{-change:,} fewer than")
    return "\n".join(
        [
            f"*Active pairs:* {overview.active:,} · *people waiting for a match:* {overview.waiting:,}",
            " · ".join(f"{STANDING_LABELS[s]} {counts.get(s, 0):,}" for s in STANDING_LABELS),
            sessions
            or f"*Sessions this month so far:* {overview.sessions_this_month:,} ({trend} by this day last month) · "
            f"last month in all: {overview.sessions_last_month:,}",
        ]
    )


def measures_text(measures: Measures) -> str:
    lines = []
    satisfied = measures.satisfaction
    if satisfied.shown and satisfied.mean is not None:
        # The spread only once it can't point at anyone: with a handful of answers, a lone "1" is someone.
        spread = (
            " (" + " · ".join(f"{v}: {satisfied.distribution.get(v, 0)}" for v in range(5, 0, -1)) + ")"
            if satisfied.answers >= SPREAD_MIN_ANSWERS
            else ""
        )
        lines.append(
            f"*Satisfaction:* {satisfied.mean:.1f}/5 on average over {_plural(satisfied.answers, 'check-in')} up to "
            f"the end of last month{spread}."
        )
    else:
        lines.append(
            f"*Satisfaction:* shown once there are at least {MIN_ANSWERS} answers in a month, counted when the "
            "month is over, to keep them anonymous."
        )
    recommends = measures.recommendation
    if recommends.shown and recommends.nps is not None and recommends.mean is not None:
        lines.append(
            f"*Would recommend:* Net Promoter Score {recommends.nps:+d} (promoters 9-10 minus detractors 0-6), "
            f"{recommends.mean:.1f}/10 on average, over {_plural(recommends.answers, 'close-out answer')} from "
            "finished cycles."
        )
    else:
        lines.append(
            f"*Would recommend:* shown once finished cycles have at least {MIN_ANSWERS} close-out answers, to keep "
            "them anonymous."
        )
    frequency = measures.frequency
    if frequency.per_pair_month is None:
        lines.append("*Meeting frequency:* no pairs in the last 90 days yet.")
    else:
        share = frequency.share_at_cadence
        kept = (
            f"{share:.0%} of pairs meet at their agreed cadence ({frequency.at_cadence:,} of {frequency.judged:,})"
            if share is not None
            else "no pair has been together for a full cadence yet"
        )
        lines.append(
            f"*Meeting frequency:* {frequency.per_pair_month:.1f} sessions per pair per month over the last "
            f"{frequency.window_days} days · {kept}"
        )
    lines.append(skills_line(measures.skills))
    return "\n".join(lines)


SKILL_TOPICS_SHOWN = 5


def skills_line(skills: Sequence[SkillFigure]) -> str:
    """The share of mentees whose confidence rose, per topic, only where three or more were measured."""
    shown = [f for f in skills if f.shown and f.share is not None]
    if not skills:
        return (
            "*Skills learned:* not measured yet. Mentees rate their confidence per topic at sign-up and again at a "
            f"cycle's midpoint and close-out; each topic shows once {MIN_MEASURED} or more have answered both."
        )
    if not shown:
        most = max(f.measured for f in skills)
        return (
            f"*Skills learned:* shown per topic once at least {MIN_MEASURED} mentees have rated their confidence "
            f"before and after, to keep them anonymous (so far at most {most} per topic)."
        )
    parts = [f"{f.topic} {f.share:.0%} ({f.rose:,} of {f.measured:,})" for f in shown[:SKILL_TOPICS_SHOWN]]
    waiting = len(skills) - len(shown[:SKILL_TOPICS_SHOWN])
    more = f" · {_plural(waiting, 'other topic')} not shown (fewer people measured)" if waiting else ""
    return "*Skills learned* (mentees whose confidence rose since sign-up): " + " · ".join(parts) + more


# --- charts ---


def chart_blocks(charts: Charts) -> list[Block]:
    if charts.empty:
        return [_context("Charts appear once the first pairs are matched.")]
    blocks: list[Block] = [
        {
            "type": "image",
            "slack_file": {"id": chart.file_id},
            "alt_text": chart.alt_text[:2000],
            "title": {"type": "plain_text", "text": chart.title[:2000]},
        }
        for chart in charts.attached
    ]
    if charts.refused:
        missing = len(charts.shown) - len(charts.attached)
        blocks.append(
            _context(
                f":warning: {_plural(missing, 'chart')} could not be attached: Slack refused the upload "
                f"(`{charts.refused}`). The figures above are complete; the charts come back on the next refresh."
            )
        )
    return blocks


# --- the pairs ---


def pair_text(row: PairRow, names: dict[str, str]) -> str:
    mentor, mentee = escape(names.get(row.mentor_id, row.mentor_id)), escape(names.get(row.mentee_id, row.mentee_id))
    parts = [STANDING_LABELS[row.standing], _plural(row.sessions, "session")]
    if row.last_session:
        parts.append(f"last {row.last_session:%-d %b %Y}")
    else:
        parts.append(f"together since {row.started:%-d %b %Y}")
    if row.next_session:
        parts.append(f"next {slack_date(row.next_session, 'UTC')}")
    if row.cancellations:
        parts.append(f"{row.cancellations} called off")
    if row.checkins_asked:
        parts.append(f"check-ins answered {row.checkins_answered}/{row.checkins_asked}")
    return f"*{mentor}* → *{mentee}*\n" + " · ".join(parts)


def _actions(row: PairRow, where: str) -> Block:
    value = f"{row.pairing_id}|{where}"
    buttons: list[Block] = []
    if row.standing in (Standing.LAPSED, Standing.COOLING, Standing.NOT_STARTED):
        buttons.append(_button("Nudge", ids.A_LEADS_NUDGE, value, style="primary"))
    if row.standing in (Standing.LAPSED, Standing.NOT_STARTED):
        buttons.append(_button("Offer a rematch", ids.A_LEADS_REMATCH, value))
    if row.standing in (Standing.LAPSED, Standing.COOLING):
        buttons.append(_button("Snooze 2 weeks", ids.A_LEADS_SNOOZE, value))
    buttons.append(
        _button(
            "End pair",
            ids.A_LEADS_END,
            value,
            style="danger",
            confirm={
                "title": {"type": "plain_text", "text": "End this pair?"},
                "text": {
                    "type": "plain_text",
                    "text": "Both people are told kindly, and they won't be matched with each other again.",
                },
                "confirm": {"type": "plain_text", "text": "End pair"},
                "deny": {"type": "plain_text", "text": "Cancel"},
            },
        )
    )
    return {"type": "actions", "block_id": f"pair_{row.pairing_id}", "elements": buttons}


def pair_list_blocks(page: PairPage) -> list[Block]:
    where = f"{page.pair_filter}:{page.page}"
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": "Pairs, worst first"}},
        {
            "type": "actions",
            "block_id": "leads_filters",
            "elements": [
                _button(
                    label,
                    ids.A_LEADS_FILTER + f"_{value}",
                    f"{value}:1",
                    style="primary" if value == page.pair_filter else None,
                )
                for value, label in FILTERS
            ],
        },
    ]
    if not page.rows:
        blocks.append(_section(EMPTY_FILTER.get(page.pair_filter, EMPTY_FILTER["all"])))
        return blocks
    first = (page.page - 1) * page.per_page + 1
    blocks.append(
        _context(f"Page {page.page} of {page.pages} · pairs {first:,}-{first + len(page.rows) - 1:,} of {page.total:,}")
    )
    for row in page.rows:
        blocks += [_section(pair_text(row, page.names)), _actions(row, where)]
    turn = []
    if page.page > 1:
        turn.append(_button("← Previous", ids.A_LEADS_PAGE + "_prev", f"{page.pair_filter}:{page.page - 1}"))
    if page.page < page.pages:
        turn.append(_button("Next →", ids.A_LEADS_PAGE + "_next", f"{page.pair_filter}:{page.page + 1}"))
    if turn:
        blocks.append({"type": "actions", "block_id": "leads_pages", "elements": turn})
    return blocks


def lead_home_blocks(
    *,
    overview: Overview,
    measures: Measures,
    pairs: PairPage,
    charts: Charts,
    notice: str | None = None,
    cycle_line: str | None = None,
) -> list[Block]:
    """The leads' part of their Home tab (about 55 blocks at most: Slack allows 100 in a view). `cycle_line`: the
    current (or next) program cycle, under the header."""
    blocks: list[Block] = [{"type": "header", "text": {"type": "plain_text", "text": "Your program"}}]
    if cycle_line:
        blocks.append({"type": "context", "elements": [{"type": "mrkdwn", "text": cycle_line}]})
    if notice:
        blocks.append(_section(f":information_source: {notice}"))
    if not overview.members and not overview.active:
        blocks.append(
            _section(
                "*Nobody has joined yet.* Invite people to type `/mentoring join`; once some have, "
                "`/mentoring match` proposes the best pairs for everyone."
            )
        )
        return blocks
    blocks += [
        _section(overview_text(overview)),
        _section(measures_text(measures)),
        {
            "type": "actions",
            "block_id": "leads_tools",
            "elements": [_button("Export to CSV", ids.A_LEADS_EXPORT, "export")],
        },
        *chart_blocks(charts),
        {"type": "divider"},
        *pair_list_blocks(pairs),
    ]
    return blocks


def parse_where(value: str | None) -> tuple[str, int]:
    """A page button's value, "filter:page"; anything else is the first page of the pairs needing attention."""
    name, _, number = (value or "").partition(":")
    if name not in {f for f, _ in FILTERS}:
        return "attention", 1
    try:
        page = int(number)
    except ValueError:
        page = 1
    return name, page if 0 < page < 10**6 else 1


def parse_pair_value(value: str | None) -> tuple[int | None, str]:
    """A pair button's value, "pairing id|filter:page" (where the lead was, to show that page again)."""
    pairing, _, where = (value or "").partition("|")
    return (int(pairing) if pairing.isdigit() and len(pairing) < 19 else None), where


# --- the report, the digest, the export ---


def report(*, overview: Overview, measures: Measures, cancelled_twice: int) -> tuple[str, list[Block]]:
    """`/mentoring report`: the figures (the charts follow in a message of their own once uploaded)."""
    text = overview_text(overview)
    if cancelled_twice:
        text += f"\n*Cancellations:* {_plural(cancelled_twice, 'pair has', 'pairs have')} had 2 or more sessions "
        text += "cancelled in a row"
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "How the program is doing"}},
        _section(text),
        _section(measures_text(measures)),
    ]
    return "Reverse mentoring: how the program is doing", blocks


def report_charts(charts: Charts) -> tuple[str, list[Block]]:
    blocks = chart_blocks(charts)
    if charts.attached:
        return "Charts: sessions per week, momentum over time, satisfaction", blocks
    return "The charts could not be attached just now.", blocks


def digest(
    *,
    month: date,
    overview: Overview,
    measures: Measures,
    change: MonthChange,
    sessions: tuple[int, int],
    attention: PairPage,
    charts: Charts,
    limit: int,
) -> tuple[str, list[Block]]:
    """The leads' monthly digest: the month in figures, what changed, and the pairs that need a lead."""
    title = f"Reverse mentoring in {month:%B %Y}"
    held, before = sessions
    month_line = f"*Sessions in {month:%B}:* {held:,} ({before:,} the month before)"
    changed = (
        f"*Since 1 {month:%B}:* {_plural(change.new_pairs, 'new pair')} · "
        f"{_plural(change.lapsed, 'pair')} lapsed · {_plural(change.recovered, 'pair')} recovered"
    )
    blocks: list[Block] = [
        {"type": "header", "text": {"type": "plain_text", "text": title}},
        _section(overview_text(overview, sessions=month_line)),
        _section(changed),
        _section(measures_text(measures)),
        *chart_blocks(charts),
        {"type": "divider"},
    ]
    rows = attention.rows[:limit]
    if not rows:
        blocks.append(_section("*No pair needs a lead right now.* :tada:"))
    else:
        more = attention.total - len(rows)
        blocks.append(
            _section(
                f"*{_plural(attention.total, 'pair needs', 'pairs need')} a lead*"
                + (f" (the {len(rows)} that need it most; {more:,} more on your Home tab)" if more > 0 else "")
            )
        )
        for row in rows:
            blocks += [_section(pair_text(row, attention.names)), _digest_actions(row)]
    return f"{title}: {_plural(overview.active, 'active pair')}", blocks


def _digest_actions(row: PairRow) -> Block:
    """In a channel message the existing leads' alert buttons answer (they reply in the thread's place)."""
    value = str(row.pairing_id)
    buttons = [_button("Nudge", ids.A_LEAD_NUDGE, value, style="primary")]
    if row.standing in (Standing.LAPSED, Standing.NOT_STARTED):
        buttons.append(_button("Offer a rematch", ids.A_LEAD_REMATCH, value))
    if row.standing in (Standing.LAPSED, Standing.COOLING):
        buttons.append(_button("Snooze 2 weeks", ids.A_LEAD_SNOOZE, value))
    return {"type": "actions", "block_id": f"digest_{row.pairing_id}", "elements": buttons}


def export_comment(*, pairs: int, sessions: int, on: date) -> str:
    return (
        f"Your export of {on:%-d %B %Y}: {_plural(pairs, 'pair')} (active and ended) and "
        f"{_plural(sessions, 'session')}. Figures only: no check-in answers or notes. Dates are YYYY-MM-DD, times UTC."
    )


def export_started() -> str:
    return "Preparing your export: two CSV files will arrive in your DM with Turnabout in a moment."


def export_failed(error: str) -> str:
    return f"We couldn't send your export just now (Slack said `{error}`). Nothing was lost; please try again."


def export_sent(pairs: int, sessions: int) -> str:
    return f"Sent: {_plural(pairs, 'pair')} and {_plural(sessions, 'session')}, as two CSV files in your DM."
