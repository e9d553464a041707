"""The demo's arrears stories: how each designed account came to stand where it does on the
arrears ladder (arrears-rules.md §7), as a Script of weekly payments, diary entries and legal
events, and which recommended action each story leads to (RENT_STORIES, LEASEHOLD_STORIES).
arrears.demo writes them."""

from __future__ import annotations

import datetime
import functools
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from arrears.models import DiarySource
from arrears.rules import Classification
from casework.models import Tenancy

WEEKS = 52  # a year of weekly charges before this week's
ZERO = Decimal("0")
SECURE, LEASEHOLD = Tenancy.TenureType.SECURE, Tenancy.TenureType.LEASEHOLD
IMPORTED = DiarySource.IMPORT  # the history before the demo's own events, as an export would load it

# Income officers (core.demo staff) for the council's patches.
COMMENTS = {
    "IC1": "Letter 1 sent: rent arrears reminder.",
    "IC2": "Letter 2 sent: arrears not cleared.",
    "IC4": "Court warning letter sent.",
    "GAT": "Automated text: rent account behind.",
    "GMS": "Text sent: please call us about your rent.",
    "BLI": "Letter sent: payment arrangement broken.",
    "CBL": "Court breach letter sent: the order's terms are not being kept.",
    "CBV": "Home visit made: tenant's hours cut; advised to pay the order amount and apply for help.",
    "WPA": "Warrant of possession applied for.",
    "LL1": "Leasehold Letter 1 sent.",
    "LL2": "Leasehold Letter 2 sent.",
    "FIC": "Financial inclusion call: benefits check offered.",
    "VIU": "Visited: no answer, card left.",
}
# Weekly payment habits of tenants who pay: (weight, [(payment code, weekday, share of the rent)]).
HABITS = [
    (4, [("RDD", 0, Decimal("1"))]),
    (3, [("RHB", 0, Decimal("0.7")), ("RPY", 3, Decimal("0.3"))]),
    (2, [("RCP", 4, Decimal("1"))]),
    (2, [("RIT", 2, Decimal("1"))]),
    (2, [("RUC", 1, Decimal("1"))]),
]


def money(value: float | Decimal) -> Decimal:
    return Decimal(f"{value:.2f}")


# --- the plan --------------------------------------------------------------------------------


@dataclass
class Script:
    """An account's history as a story tells it: what was paid each week (0 = this week), other
    postings, the diary, and the legal events the services record."""

    rng: random.Random
    now: datetime.datetime
    rent: Decimal
    service: Decimal
    weeks: int  # how many weeks back the ledger starts
    habit: list[tuple[str, int, Decimal]]
    weekly: bool = True
    paid: dict[int, Decimal] = field(default_factory=dict)
    opening: Decimal = ZERO
    rows: list[tuple[datetime.date, str, Decimal]] = field(default_factory=list)
    diary: list[tuple[datetime.datetime, str, str]] = field(default_factory=list)
    nosp: datetime.date | None = None
    court: datetime.datetime | None = None
    outcome: tuple[str, bool | None] | None = None
    arrangement: tuple[str, str, Decimal, datetime.date, str] | None = None
    eviction: datetime.datetime | None = None
    pause: tuple[str, datetime.date, str] | None = None
    failed_letter: bool = False

    @property
    def today(self) -> datetime.date:
        return timezone.localdate(self.now)

    @property
    def gross(self) -> Decimal:
        return self.rent + self.service

    def monday(self, weeks_ago: int) -> datetime.date:
        return self.today - datetime.timedelta(days=self.today.weekday(), weeks=weeks_ago)

    def ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def at(self, day: datetime.date, hour: int | None = None) -> datetime.datetime:
        """A time in office hours on `day`, in local time."""
        hour = self.rng.randint(9, 16) if hour is None else hour
        minute = self.rng.randint(0, 59)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))

    def weekday_in(self, days: int) -> datetime.date:
        """The day `days` from today (ago, when negative), or the weekday after it."""
        day = self.today + datetime.timedelta(days=days)
        return day + datetime.timedelta(days=(7 - day.weekday()) % 7 if day.weekday() >= 5 else 0)

    def hearing(self, day: datetime.date) -> datetime.datetime:
        """10:00 on `day`, or on the weekday before it."""
        while day.weekday() >= 5:
            day -= datetime.timedelta(days=1)
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(10, 0)))

    def times(self, low: float, high: float) -> Decimal:
        return money(self.gross * Decimal(str(self.rng.uniform(low, high))))

    def note(self, days_ago: int, code: str, comment: str = "") -> None:
        self.diary.append((self.at(self.ago(days_ago)), code, comment or COMMENTS[code]))

    def pays(self) -> None:
        """Every week's rent paid, this week's too (on the habit's days)."""
        self.paid = dict.fromkeys(range(self.weeks + 1), self.gross)

    def short(self, amount: Decimal, *, before: int = 0) -> None:
        """Rent paid every week but this one, less `amount` in all, missed from the most recent
        weeks older than week `before` backwards (they stopped paying then)."""
        if not self.paid:
            self.paid = dict.fromkeys(range(1, self.weeks + 1), self.gross)
        for k in range(before + 1, self.weeks + 1):
            cut = min(self.paid.get(k, ZERO), amount)
            self.paid[k] = self.paid.get(k, ZERO) - cut
            amount -= cut
            if amount <= 0:
                return

    def postings(self) -> list[tuple[datetime.date, str, Decimal]]:
        first = self.monday(self.weeks)
        rows = [(first, "BFW", self.opening)] if self.opening else []
        for k in range(self.weeks, -1, -1) if self.weekly else ():
            monday = self.monday(k)
            rows += [(monday, code, amount) for code, amount in (("DRR", self.rent), ("DSC", self.service)) if amount]
            left = self.paid.get(k, ZERO)
            for position, (code, weekday, share) in enumerate(self.habit):
                part = left if position == len(self.habit) - 1 else money(self.paid.get(k, ZERO) * share)
                left -= part
                day = monday + datetime.timedelta(days=weekday)
                if part > 0 and day <= self.today:
                    rows.append((day, code, -part))
        rows += [row for row in self.rows if first <= row[0] <= self.today]
        return sorted(rows, key=lambda row: row[0])

    def balance_on(self, day: datetime.date) -> Decimal:
        return sum((amount for posted, _code, amount in self.postings() if posted <= day), ZERO)


Story = Callable[[Script], None]


def _ordinary(s: Script) -> None:
    """Pays every week: no action (some in credit, some a few pounds behind)."""
    s.pays()
    roll = s.rng.random()
    if roll < 0.25:
        s.opening = -s.times(0.3, 1.5)
    elif roll < 0.45:
        s.opening = money(s.rng.uniform(0.5, 4.5))


def _first_sms(s: Script) -> None:
    """£5 to £10 behind, nothing else said for three months: send_first_sms."""
    s.short(money(s.rng.uniform(5.5, 9.5)))
    if s.rng.random() < 0.5:
        s.note(s.rng.randint(15, 40), "GAT")
    else:
        s.note(s.rng.randint(120, 200), "IC1")


def _letter_one(s: Script) -> None:
    """More than a week behind: send_letter_one (a text, or a Letter 1 long ago, does not stop it)."""
    s.short(s.times(1.6, 3))
    roll = s.rng.random()
    if roll < 0.35:
        s.note(s.rng.randint(18, 30), "GAT")
    elif roll < 0.65:
        s.note(s.rng.randint(130, 250), "IC1")


def _letter_two(s: Script) -> None:
    """Letter 1 two weeks to three months ago, still behind: send_letter_two."""
    s.short(s.times(2, 3.5))
    s.note(s.rng.randint(16, 45), "IC1")


def _nosp(s: Script) -> None:
    """Letter 2 a week to three months ago, four weeks behind after grace: send_nosp."""
    s.short(s.times(5.8, 8))
    s.note(s.rng.randint(45, 70), "IC1")
    s.note(s.rng.randint(10, 25), "IC2")
    s.note(s.rng.randint(3, 8), "VIU")


def _nosp_expired(s: Script) -> None:
    """A NOSP served long ago has expired: send_nosp again, without the letters."""
    s.short(s.times(6, 8))
    s.note(600, "IC1")
    s.note(575, "IC2")
    s.nosp = s.ago(s.rng.randint(520, 560))
    s.note(s.rng.randint(40, 60), "GMS")


def _court_warning(s: Script) -> None:
    """NOSP past its cooling-off period, four weeks behind: send_court_warning_letter."""
    s.short(s.times(7, 10))
    s.note(260, "IC1")
    s.note(230, "IC2")
    s.nosp = s.ago(s.rng.randint(110, 170))


def _apply_for_court(s: Script) -> None:
    """Court warning letter at least 14 days ago, NOSP active: apply_for_court_date."""
    s.short(s.times(8, 11))
    s.note(300, "IC1")
    s.note(270, "IC2")
    s.nosp = s.ago(s.rng.randint(150, 220))
    s.note(s.rng.randint(20, 45), "IC4")


def _to_court(s: Script, hearing_days_ago: int, outcome: tuple[str, bool | None] | None) -> None:
    """The ladder to a hearing `hearing_days_ago`: Letters 1 and 2, the NOSP, the court warning."""
    s.note(hearing_days_ago + 260, "IC1")
    s.note(hearing_days_ago + 230, "IC2")
    s.nosp = s.ago(hearing_days_ago + 180)
    s.note(hearing_days_ago + 90, "IC4")
    s.court = s.hearing(s.ago(hearing_days_ago))
    s.outcome = outcome


def _court_outcome(s: Script) -> None:
    """The hearing was last week and no outcome is recorded: update_court_outcome."""
    s.short(s.times(9, 12))
    _to_court(s, s.rng.randint(8, 12), None)


def _possession_warrant(s: Script) -> None:
    """Outright possession ordered five weeks ago: apply_for_outright_possession_warrant."""
    s.short(s.times(11, 14))
    _to_court(s, s.rng.randint(30, 45), ("OPD", None))


def _check_data(s: Script) -> None:
    """Suspended on terms, but the court's arrangement is not recorded: check_data."""
    s.short(s.times(8, 11))
    _to_court(s, s.rng.randint(35, 50), ("SOT", True))


def _failed_letter(s: Script) -> None:
    """Letter 1 came back from the provider's address check: review_failed_letter."""
    s.short(s.times(1.8, 3))
    s.failed_letter = True


def _informal_breach(s: Script, *, letter: bool = False) -> None:
    """An arrangement kept for a few weeks, then not: send_informal_agreement_breach_letter, or
    with the breach letter sent over a week ago, informal_breached_after_letter."""
    start = s.rng.randint(8, 12)
    instalment = money(s.rng.uniform(10, 25))
    s.short(s.times(3, 5), before=start)
    kept = s.rng.randint(2, 4)
    for k in range(start, 0, -1):
        s.paid[k] = s.gross + instalment if k > start - kept else s.times(0.3, 0.7)
    s.paid[0] = ZERO
    s.note(7 * start + 30, "IC1")
    s.note(7 * start + 10, "IC2")
    s.arrangement = ("informal", "weekly", instalment, s.monday(start), "Agreed on the phone: rent plus arrears.")
    if letter:
        s.note(s.rng.randint(9, 20), "BLI")


def _court_breach(s: Script, *, step: str = "") -> None:
    """A suspended order whose terms stopped being kept: address_court_agreement_breach; with
    the breach letter 7 days to 3 months ago, court_breach_visit; visited a week or more ago
    and nothing paid for weeks, court_breach_no_payment."""
    week = s.rng.randint(14, 22)
    hearing = s.monday(week) + datetime.timedelta(days=2)
    _to_court(s, (s.today - hearing).days, ("SOT", True))
    s.short(s.times(7, 10), before=week)
    instalment = money(s.rng.uniform(5, 15))
    kept = s.rng.randint(4, 8)
    for k in range(week - 1, 0, -1):
        s.paid[k] = s.gross + instalment if k > week - 1 - kept else s.times(0.2, 0.6)
    s.paid[0] = ZERO
    s.arrangement = ("formal", "weekly", instalment, s.monday(week - 1), "Suspended on terms: rent plus arrears.")
    if step == "letter":
        s.note(s.rng.randint(10, 25), "CBL")
    elif step == "visit":
        for k in (3, 2, 1):
            s.paid[k] = ZERO
        s.note(s.rng.randint(30, 45), "CBL")
        s.note(s.rng.randint(9, 14), "CBV")


def _paused(s: Script) -> None:
    """Behind, but paused (a benefit delayed, a promise to pay): no action until the pause ends."""
    s.short(s.times(2, 4))
    s.note(s.rng.randint(25, 40), "IC1")
    if s.rng.random() < 0.5:
        comment = "Universal Credit claimed; waiting for the housing costs to be paid."
        s.pause = ("Delayed benefit", s.ago(-s.rng.randint(10, 28)), comment)
    else:
        s.pause = ("Promise of payment", s.ago(-s.rng.randint(5, 12)), "Promised to clear the balance on payday.")


def _arrangement_kept(s: Script) -> None:
    """An arrangement made this week: no action while it is live."""
    s.short(s.times(2.5, 5))
    s.note(s.rng.randint(30, 50), "IC1")
    s.note(s.rng.randint(8, 15), "FIC")
    frequency = s.rng.choice(["weekly", "fortnightly"])
    instalment = money(s.rng.uniform(8, 20) * (2 if frequency == "fortnightly" else 1))
    start = s.monday(-1)
    s.arrangement = ("informal", frequency, instalment, start, "Agreed at an office interview.")


def _hearing_soon(s: Script) -> None:
    """A hearing in the next few weeks: no action until it has happened."""
    s.short(s.times(10, 13))
    s.note(330, "IC1")
    s.note(300, "IC2")
    s.nosp = s.ago(250)
    s.note(100, "IC4")
    s.court = s.hearing(s.weekday_in(s.rng.randint(10, 24)))


def _eviction(s: Script) -> None:
    """Outright possession, the warrant applied for, the eviction booked: no action."""
    s.short(s.times(14, 18))
    _to_court(s, 200, ("OPD", None))
    s.note(120, "WPA")
    s.eviction = s.at(s.weekday_in(s.rng.randint(14, 28)), hour=9)


def _warrant_applied(s: Script) -> None:
    """Outright possession, the warrant applied for, waiting for a date: no action."""
    s.short(s.times(12, 15))
    _to_court(s, s.rng.randint(60, 75), ("OPD", None))
    s.note(s.rng.randint(10, 20), "WPA")


def _letter_just_sent(s: Script) -> None:
    """A letter went a few days ago: no action until its time has passed."""
    if s.rng.random() < 0.5:
        s.short(s.times(1.8, 3))
        s.note(s.rng.randint(3, 6), "IC1")
    else:
        s.short(s.times(5.5, 7))
        s.note(s.rng.randint(30, 50), "IC1")
        s.note(s.rng.randint(2, 5), "IC2")


def _service_charge(s: Script, *, unpaid: Decimal = ZERO, previous_unpaid: bool = False) -> None:
    """Quarterly demands (the latest 4 weeks ago), each paid in full a week or two later, but
    the latest less `unpaid`, and the one before not at all when `previous_unpaid`."""
    s.weekly = False
    demand = s.service * 13
    for weeks_ago in (4, 17, 30, 43):
        day = s.monday(weeks_ago)
        s.rows.append((day, "DSC", demand))
        paid = demand - unpaid if weeks_ago == 4 else (ZERO if previous_unpaid and weeks_ago == 17 else demand)
        if paid > 0:
            s.rows.append((day + datetime.timedelta(days=s.rng.randint(7, 14)), s.habit[0][0], -paid))


def _sc_small_balance(s: Script) -> None:
    _service_charge(s, unpaid=s.service + money(s.rng.uniform(1, 6)))


def _sc_letter_one(s: Script) -> None:
    _service_charge(s, unpaid=s.times(2.5, 4))


def _sc_letter_two(s: Script) -> None:
    _service_charge(s, unpaid=s.times(3, 5))
    s.note(s.rng.randint(18, 26), "LL1")


def _sc_lba(s: Script) -> None:
    _service_charge(s, unpaid=s.service * 13, previous_unpaid=True)
    s.note(s.rng.randint(75, 85), "LL1")
    s.note(s.rng.randint(12, 25), "LL2")


C = Classification
# The designed accounts: story, the recommended action it leads to, how many.
RENT_STORIES: list[tuple[Story, Classification | None, int]] = [
    (_first_sms, C.SEND_FIRST_SMS, 3),
    (_letter_one, C.SEND_LETTER_ONE, 4),
    (_letter_two, C.SEND_LETTER_TWO, 3),
    (_nosp, C.SEND_NOSP, 2),
    (_nosp_expired, C.SEND_NOSP, 1),
    (_court_warning, C.SEND_COURT_WARNING_LETTER, 2),
    (_apply_for_court, C.APPLY_FOR_COURT_DATE, 2),
    (_court_outcome, C.UPDATE_COURT_OUTCOME, 1),
    (_possession_warrant, C.APPLY_FOR_OUTRIGHT_POSSESSION_WARRANT, 1),
    (_failed_letter, C.REVIEW_FAILED_LETTER, 1),
    (_informal_breach, C.SEND_INFORMAL_AGREEMENT_BREACH_LETTER, 2),
    (functools.partial(_informal_breach, letter=True), C.INFORMAL_BREACHED_AFTER_LETTER, 1),
    (_court_breach, C.ADDRESS_COURT_AGREEMENT_BREACH, 1),
    (functools.partial(_court_breach, step="letter"), C.COURT_BREACH_VISIT, 1),
    (functools.partial(_court_breach, step="visit"), C.COURT_BREACH_NO_PAYMENT, 1),
    (_check_data, C.CHECK_DATA, 1),
    # No action, each for a reason the account page shows.
    (_paused, C.NO_ACTION, 2),
    (_arrangement_kept, C.NO_ACTION, 2),
    (_hearing_soon, C.NO_ACTION, 1),
    (_eviction, C.NO_ACTION, 1),
    (_warrant_applied, C.NO_ACTION, 1),
    (_letter_just_sent, C.NO_ACTION, 2),
]
# Leaseholders' service charges: Letter 1, Letter 2, and the letter before action (the NOSP step).
LEASEHOLD_STORIES: list[tuple[Story, Classification | None, int]] = [
    (_service_charge, None, 3),  # paid up: off the worktray
    (_sc_small_balance, C.NO_ACTION, 1),
    (_sc_letter_one, C.SEND_LETTER_ONE, 2),
    (_sc_letter_two, C.SEND_LETTER_TWO, 2),
    (_sc_lba, C.SEND_NOSP, 2),
]


def script_for(story: Story | None, seed: int, *, rent: Decimal, service: Decimal, since: datetime.date, now) -> Script:
    """The history `story` gives an account with these weekly charges, whose tenancy began on
    `since`, told as of `now`."""
    rng = random.Random(seed)
    if story is not None:  # one way of paying, on one day
        habit = [(rng.choice(["RDD", "RCP", "RIT", "RPY", "RBA"]), rng.randint(0, 4), Decimal("1"))]
    else:
        habit = rng.choices([habit for _w, habit in HABITS], weights=[weight for weight, _h in HABITS])[0]
    today = timezone.localdate(now)
    weeks = max(0, min(WEEKS, (today - since).days // 7))
    script = Script(rng=rng, now=now, rent=rent, service=service, weeks=weeks, habit=habit)
    (story or _ordinary)(script)
    return script


# --- writing it ------------------------------------------------------------------------------
