"""The sandbox workspace: a dozen synthetic colleagues across departments, levels and time zones."""

from __future__ import annotations

from bot.sandbox.fake_slack import FakeChannel, FakeUser

LEAD = "U0HANA"
LEADS_CHANNEL = FakeChannel(id="C0LEADS", name="mentoring-leads", members=["U0HANA"], is_private=True)
# Where mentors who opt in are celebrated at a cycle's end (TURNABOUT_CELEBRATION_CHANNEL).
CELEBRATION_CHANNEL = FakeChannel(id="C0WINS", name="mentoring-wins", members=["U0HANA", "U0PRIYA", "U0TOM"])

PEOPLE: tuple[FakeUser, ...] = (
    FakeUser(id="U0PRIYA", name="priya", real_name="Priya Nair", title="Data Analyst", tz="Asia/Kolkata"),
    FakeUser(id="U0TOM", name="tom", real_name="Tom Becker", title="VP Finance", tz="Europe/Berlin"),
    FakeUser(id="U0AMARA", name="amara", real_name="Amara Okafor", title="Social Media Associate", tz="Africa/Lagos"),
    FakeUser(
        id="U0DIANE", name="diane", real_name="Diane Whitfield", title="Chief Operating Officer", tz="America/New_York"
    ),
    FakeUser(id="U0LEO", name="leo", real_name="Leo Martins", title="Junior Software Engineer", tz="America/Sao_Paulo"),
    FakeUser(
        id="U0MARGARET",
        name="margaret",
        real_name="Margaret Chen",
        title="Director of Sales",
        tz="America/Los_Angeles",
    ),
    FakeUser(id="U0SOFIA", name="sofia", real_name="Sofia Rossi", title="UX Designer", tz="Europe/Rome"),
    FakeUser(id="U0RAJESH", name="rajesh", real_name="Rajesh Iyer", title="Head of Legal", tz="Asia/Singapore"),
    FakeUser(id="U0EMMA", name="emma", real_name="Emma Clarke", title="Marketing Coordinator", tz="Europe/London"),
    FakeUser(
        id="U0KWAME", name="kwame", real_name="Kwame Mensah", title="Customer Success Manager", tz="Europe/London"
    ),
    FakeUser(id=LEAD, name="hana", real_name="Hana Suzuki", title="People Programs Lead", tz="Europe/Dublin"),
    FakeUser(id="U0OLIVER", name="oliver", real_name="Oliver Grant", title="Chief Executive", tz="America/Chicago"),
)


def name_of(user_id: str) -> str:
    return next((p.real_name for p in PEOPLE if p.id == user_id), user_id)
