"""The arrears classification engine: from the facts of one rent account to its next recommended
action, by the fifteen ordered rules of the council's published arrears service
(../shared/arrears-rules.md, "the spec" below; § numbers refer to it).

Pure: no queries, no I/O. The caller gathers the facts (`Facts`), picks the rule settings
(`RuleSettings`, whose defaults reproduce the published rules, quirks of §12 included) and passes
the current instant; `classify` returns the classification and, on request, why every rule did or
did not fire. Each rule is a tuple of named conditions, so the explanation comes from the same
code that decides.

Time (§10): dates are judged in the site's time zone (settings.TIME_ZONE). A bare `date` means
local midnight of that day; a `datetime` keeps its time of day (a naive one is local time). A
threshold "N days (months, years) old" is local midnight of (today - N), with calendar arithmetic
for months and years; "at least N old" means on or before it, "less than N old" means after it.
"Future" and "past" (court date, pause, eviction) compare instants with `now`.

The default settings reproduce the published quirks (§12) on purpose; each is noted where it lives:
- any NOSP ever served blocks the SMS and Letters 1 and 2 for good (§12.1);
- any eviction date, past or future, blocks every rule but the failed-letter review and the data
  check (§12.2, §12.5); the failed-letter review ignores the pause too;
- any non-SMS communication holds back the first SMS for 3 months (§12.3);
- a breached agreement still counts as active (§12.4);
- a tenant who never paid cannot reach "court breach, no payment" (§12.6);
- which action-diary codes count as the last communication is the caller's choice (§8, §12.11).
Where the published code and the restatement in the spec differ only for a communication code
recorded without a date, the code is followed (see "Last communication" below).
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, NamedTuple, TypeAlias
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta
from django.conf import settings as django_settings
from django.db import models


class Classification(models.TextChoices):
    """A case's next recommended action (§7). Values are ours; labels follow the front end's wording."""

    NO_ACTION = "no_action", "No action"
    SEND_FIRST_SMS = "send_first_sms", "Send first SMS"
    SEND_LETTER_ONE = "send_letter_one", "Send Letter One"
    SEND_LETTER_TWO = "send_letter_two", "Send Letter Two"
    SEND_NOSP = "send_nosp", "Send NOSP"
    SEND_COURT_WARNING_LETTER = "send_court_warning_letter", "Send court warning letter"
    APPLY_FOR_COURT_DATE = "apply_for_court_date", "Apply for court date (PCOL)"
    UPDATE_COURT_OUTCOME = "update_court_outcome", "Update court outcome"
    APPLY_FOR_OUTRIGHT_POSSESSION_WARRANT = (
        "apply_for_outright_possession_warrant",
        "Apply for outright possession warrant",
    )
    REVIEW_FAILED_LETTER = "review_failed_letter", "Review failed letter"
    SEND_INFORMAL_AGREEMENT_BREACH_LETTER = (
        "send_informal_agreement_breach_letter",
        "Send informal agreement breached letter",
    )
    INFORMAL_BREACHED_AFTER_LETTER = (
        "informal_breached_after_letter",
        "Informal agreement breach letter sent & still breached",
    )
    ADDRESS_COURT_AGREEMENT_BREACH = "address_court_agreement_breach", "Address court agreement breach"
    COURT_BREACH_VISIT = "court_breach_visit", "Court breach visit"
    COURT_BREACH_NO_PAYMENT = "court_breach_no_payment", "Court breach - no payment"
    CHECK_DATA = "check_data", "Check case data"


# The order of §7: the first rule that fires wins. The published classifier runs all fifteen and
# keeps the first answer; as each rule is an independent predicate, stopping at the first that
# fires gives the same result.
RULE_ORDER: tuple[Classification, ...] = (
    Classification.APPLY_FOR_OUTRIGHT_POSSESSION_WARRANT,
    Classification.REVIEW_FAILED_LETTER,
    Classification.SEND_FIRST_SMS,
    Classification.SEND_LETTER_ONE,
    Classification.SEND_LETTER_TWO,
    Classification.UPDATE_COURT_OUTCOME,
    Classification.COURT_BREACH_VISIT,
    Classification.SEND_NOSP,
    Classification.COURT_BREACH_NO_PAYMENT,
    Classification.SEND_INFORMAL_AGREEMENT_BREACH_LETTER,
    Classification.INFORMAL_BREACHED_AFTER_LETTER,
    Classification.ADDRESS_COURT_AGREEMENT_BREACH,
    Classification.SEND_COURT_WARNING_LETTER,
    Classification.APPLY_FOR_COURT_DATE,
    Classification.CHECK_DATA,
)

Moment: TypeAlias = datetime.date | datetime.datetime
"""A bare date (local midnight of that day) or a datetime that keeps its time of day."""

AGREEMENT_TYPES = ("informal", "formal")
AGREEMENT_STATES = ("live", "breached", "cancelled", "completed")
ACTIVE_AGREEMENT_STATES = ("live", "breached")  # §3: a breached agreement still counts as active


@dataclass(frozen=True, slots=True)
class Facts:
    """What the rules read about one account (§2). Every field may be unknown (None).
    Money is in pounds; payments are negative numbers, as the housing system posts them. The court
    case, agreement and eviction are the account's latest (last written, §2); a court case exists
    when it has a date or an outcome. Codes are action-diary (§8) and court outcome (§5) codes."""

    balance: Decimal | None = None  # read by no rule (§2); kept for the caller's convenience
    collectable_arrears: Decimal | None = None
    weekly_gross_rent: Decimal | None = None
    payments_this_week_total: Decimal | None = None
    last_communication_code: str | None = None
    last_communication_at: Moment | None = None
    nosp_served_at: Moment | None = None
    paused_until: Moment | None = None
    eviction_date: Moment | None = None
    last_payment_at: Moment | None = None
    court_date: Moment | None = None
    court_outcome_code: str | None = None
    court_outcome_has_terms: bool | None = None
    court_strike_out_date: Moment | None = None
    agreement_type: str | None = None
    agreement_state: str | None = None
    agreement_start_at: Moment | None = None
    latest_letter_status: str | None = None


# ---------------------------------------------------------------------------------------------
# Rule settings
# ---------------------------------------------------------------------------------------------


class RuleSettingsError(ValueError):
    """An override a rule set cannot take; `field` names the setting, `message` says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class RuleSettings:
    """Every threshold, window, code list and the enabled rules; defaults reproduce Hackney (arrears-rules.md).
    Supervisors change these in the admin, stored as a dict of overrides (`from_overrides`, `overrides`).

    Money is a Decimal in pounds; periods are whole numbers of the unit in the name; code lists
    are tuples of upper-case action-diary codes (§8) or court outcome codes (§5); `enabled_rules`
    holds the rules that may fire. `field_help()` describes each field."""

    sms_arrears_min: Decimal = Decimal("5")
    sms_arrears_below: Decimal = Decimal("10")
    letter_arrears_min: Decimal = Decimal("10")
    nosp_arrears_weeks: int = 4
    grace_weeks: int = 1
    sms_repeat_after_days: int = 7
    sms_quiet_after_other_months: int = 3
    letter_one_quiet_months: int = 3
    letter_two_after_days: int = 14
    letter_two_within_months: int = 3
    nosp_after_letter_two_days: int = 7
    nosp_after_letter_two_within_months: int = 3
    nosp_active_after_months: int = 3
    nosp_valid_for_weeks: int = 52
    warrant_life_years: int = 6
    possession_warrant_within_months: int = 3
    apply_for_court_after_warning_days: int = 14
    court_breach_visit_after_days: int = 7
    court_breach_visit_within_months: int = 3
    court_breach_no_payment_days: int = 8
    court_breach_no_payment_after_visit_days: int = 7
    informal_breach_letter_after_days: int = 7
    informal_breached_after_letter_days: int = 7
    sms_codes: tuple[str, ...] = ("GAT", "GMS", "AMS", "SMS")
    letter_one_codes: tuple[str, ...] = ("IC1", "S01")
    letter_one_or_later_codes: tuple[str, ...] = ("IC1", "S01", "IC2", "S02", "ZR2", "ZL2", "ZT2", "S0A", "IC4")
    letter_two_codes: tuple[str, ...] = ("IC2", "S02", "ZR2", "ZL2", "ZT2")
    court_warning_letter_code: str = "IC4"
    court_breach_letter_code: str = "CBL"
    court_breach_visit_code: str = "CBV"
    informal_breach_letter_code: str = "BLI"
    warrant_applied_code: str = "WPA"
    warrant_active_outcomes: tuple[str, ...] = ("AGP", "AND", "AAH", "ADH", "SOT", "SOE")
    possession_outcomes: tuple[str, ...] = ("OPD", "OPF")
    end_of_life_outcomes: tuple[str, ...] = ("SOT",)
    failed_letter_statuses: tuple[str, ...] = ("validation-failed",)
    enabled_rules: frozenset[Classification] = frozenset(RULE_ORDER)

    def __post_init__(self) -> None:
        for field in dataclasses.fields(self):
            _check(field.name, _kind(field.name), getattr(self, field.name))
        if self.sms_arrears_min >= self.sms_arrears_below:
            raise RuleSettingsError(
                "sms_arrears_min", f"must be less than sms_arrears_below ({_money(self.sms_arrears_below)})"
            )

    @classmethod
    def from_overrides(cls, overrides: Mapping[str, Any]) -> RuleSettings:
        """The default settings with these overrides (as stored: JSON values). Raises
        RuleSettingsError naming the field for an unknown key, a wrong type or an impossible value."""
        if not isinstance(overrides, Mapping):
            raise RuleSettingsError("overrides", f"expected a mapping of setting names to values, got {overrides!r}")
        kinds = {field.name: _kind(field.name) for field in dataclasses.fields(cls)}
        values = {}
        for name, value in overrides.items():
            if name not in kinds:
                raise RuleSettingsError(str(name), f"is not a rule setting; the settings are {', '.join(kinds)}")
            values[name] = _convert(name, kinds[name], value)
        return cls(**values)

    def overrides(self) -> dict[str, Any]:
        """The fields that differ from the defaults, as JSON values (money as a string)."""
        default = DEFAULT_SETTINGS
        return {
            field.name: _to_json(getattr(self, field.name))
            for field in dataclasses.fields(self)
            if getattr(self, field.name) != getattr(default, field.name)
        }

    @classmethod
    def field_help(cls) -> dict[str, str]:
        """One sentence per setting, for the admin form."""
        return {field.name: _HELP[field.name] for field in dataclasses.fields(cls)}


_HELP = {
    "sms_arrears_min": "The first SMS is sent from this much collectable arrears (no grace deducted).",
    "sms_arrears_below": "The first SMS is sent only while collectable arrears are below this amount.",
    "letter_arrears_min": "Letters 1 and 2 are sent when arrears after the grace amount reach this much.",
    "nosp_arrears_weeks": "A NOSP, the court warning letter and a court application need arrears after grace of "
    "this many weeks' gross rent.",
    "grace_weeks": "Weeks of gross rent, less this week's payments, allowed as grace before arrears count.",
    "sms_repeat_after_days": "Days after an SMS before another first SMS may be sent.",
    "sms_quiet_after_other_months": "Months after any other communication before a first SMS may be sent.",
    "letter_one_quiet_months": "Months after Letter 1 or any later letter before Letter 1 may be sent again.",
    "letter_two_after_days": "Days after Letter 1 before Letter 2 may be sent.",
    "letter_two_within_months": "Months after Letter 1 beyond which Letter 2 is no longer sent.",
    "nosp_after_letter_two_days": "Days after Letter 2 before a first NOSP is recommended.",
    "nosp_after_letter_two_within_months": "Months after Letter 2 beyond which a first NOSP is no longer recommended.",
    "nosp_active_after_months": "Months after service when a NOSP becomes active (the end of its cooling-off period).",
    "nosp_valid_for_weeks": "Weeks a NOSP stays valid after it becomes active.",
    "warrant_life_years": "Years after the hearing that a court warrant stays active and a suspension on terms lasts.",
    "possession_warrant_within_months": "Months after an outright possession order within which applying for the "
    "warrant is recommended.",
    "apply_for_court_after_warning_days": "Days after the court warning letter before applying for a court date is "
    "recommended.",
    "court_breach_visit_after_days": "Days after the court breach letter before a visit is recommended.",
    "court_breach_visit_within_months": "Months after the court breach letter beyond which a visit is no longer "
    "recommended.",
    "court_breach_no_payment_days": "Days without a payment after which a breached court agreement counts as "
    "'no payment'.",
    "court_breach_no_payment_after_visit_days": "Days after the court breach visit before 'no payment' is recommended.",
    "informal_breach_letter_after_days": "Days after the last communication before the informal agreement breach "
    "letter is sent.",
    "informal_breached_after_letter_days": "Days after the informal breach letter before a still-breached agreement "
    "is flagged.",
    "sms_codes": "Action codes that count as an SMS (they hold back a repeat SMS).",
    "letter_one_codes": "Action codes that count as Letter 1 (they lead to Letter 2).",
    "letter_one_or_later_codes": "Action codes of Letter 1 or any later letter (they hold back a repeat Letter 1).",
    "letter_two_codes": "Action codes that count as Letter 2 (they lead to a first NOSP).",
    "court_warning_letter_code": "Action code of the court warning letter.",
    "court_breach_letter_code": "Action code of the court agreement breach letter.",
    "court_breach_visit_code": "Action code of the court breach visit.",
    "informal_breach_letter_code": "Action code of the informal agreement breach letter.",
    "warrant_applied_code": "Action code recorded when a warrant of possession has been applied for.",
    "warrant_active_outcomes": "Court outcome codes that keep a warrant active.",
    "possession_outcomes": "Court outcome codes that call for an outright possession warrant.",
    "end_of_life_outcomes": "Court outcome codes whose terms end once the warrant life has passed.",
    "failed_letter_statuses": "Letter statuses that call for a caseworker to review the letter.",
    "enabled_rules": "The rules that may fire; a rule left out never recommends anything.",
}


@functools.cache
def _kind(name: str) -> str:
    """How a field is typed and checked, from its default."""
    if name == "failed_letter_statuses":
        return "statuses"  # statuses keep their case, unlike codes
    default = {field.name: field.default for field in dataclasses.fields(RuleSettings)}[name]
    if isinstance(default, Decimal):
        return "money"
    if isinstance(default, frozenset):
        return "rules"
    if isinstance(default, tuple):
        return "codes"
    if isinstance(default, str):
        return "code"
    return "count"


def _check(name: str, kind: str, value: Any) -> None:
    """That a field holds the type its kind needs, within range (for direct construction too)."""
    if kind == "money":
        if not isinstance(value, Decimal) or not value.is_finite():
            raise RuleSettingsError(name, f"expected an amount of money, got {value!r}")
        if value < 0:
            raise RuleSettingsError(name, "must not be negative")
    elif kind == "count":
        if not isinstance(value, int) or isinstance(value, bool):
            raise RuleSettingsError(name, f"expected a whole number, got {value!r}")
        if value < 0:
            raise RuleSettingsError(name, "must not be negative")
    elif kind in ("codes", "statuses"):
        if not isinstance(value, tuple) or not all(isinstance(item, str) and item for item in value):
            raise RuleSettingsError(name, f"expected a list of non-empty codes, got {value!r}")
    elif kind == "code":
        if not isinstance(value, str) or not value:
            raise RuleSettingsError(name, f"expected a non-empty code, got {value!r}")
    elif kind == "rules":
        if not isinstance(value, frozenset) or not all(isinstance(item, Classification) for item in value):
            raise RuleSettingsError(name, f"expected a set of rules, got {value!r}")
        if Classification.NO_ACTION in value:
            raise RuleSettingsError(name, "no_action is what is left when no rule fires; it is not a rule")


def _convert(name: str, kind: str, value: Any) -> Any:
    """A stored (JSON) override as the field's type."""
    if kind == "money":
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            raise RuleSettingsError(name, f'expected an amount of money such as "10.00", got {value!r}')
        try:
            return Decimal(str(value).strip())
        except InvalidOperation:
            raise RuleSettingsError(name, f'expected an amount of money such as "10.00", got {value!r}') from None
    if kind in ("codes", "statuses"):
        if not isinstance(value, list | tuple) or not all(isinstance(item, str) and item.strip() for item in value):
            raise RuleSettingsError(name, f"expected a list of non-empty codes, got {value!r}")
        return tuple(item.strip().upper() if kind == "codes" else item.strip() for item in value)
    if kind == "code":
        if not isinstance(value, str) or not value.strip():
            raise RuleSettingsError(name, f"expected a non-empty code, got {value!r}")
        return value.strip().upper()
    if kind == "rules":
        if not isinstance(value, list | tuple | set | frozenset) or not all(isinstance(item, str) for item in value):
            raise RuleSettingsError(name, f"expected a list of rule names, got {value!r}")
        unknown = [item for item in value if item not in {rule.value for rule in RULE_ORDER}]
        if unknown:
            raise RuleSettingsError(
                name, f"{unknown[0]!r} is not a rule; the rules are {', '.join(rule.value for rule in RULE_ORDER)}"
            )
        return frozenset(Classification(item) for item in value)
    return value  # counts: checked as they are


def _to_json(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset):
        return [rule.value for rule in RULE_ORDER if rule in value]
    if isinstance(value, tuple):
        return list(value)
    return value


DEFAULT_SETTINGS = RuleSettings()


# ---------------------------------------------------------------------------------------------
# Time
# ---------------------------------------------------------------------------------------------

UTC = datetime.UTC


@functools.lru_cache(maxsize=8)
def _zone_named(name: str) -> ZoneInfo:
    return ZoneInfo(name)


def local_zone() -> ZoneInfo:
    """The zone in which the rules count days: settings.TIME_ZONE (Europe/London)."""
    return _zone_named(django_settings.TIME_ZONE)


def _local(value: datetime.datetime, zone: ZoneInfo) -> datetime.datetime:
    """A datetime as an aware local one (naive means local already)."""
    return value.replace(tzinfo=zone) if value.tzinfo is None else value.astimezone(zone)


def _instant(value: Moment, zone: ZoneInfo) -> datetime.datetime:
    """The moment as a UTC instant: a bare date is its local midnight (§10). Comparing in UTC
    avoids Python's wall-clock comparison of two datetimes sharing one tzinfo."""
    if not isinstance(value, datetime.datetime):
        value = datetime.datetime.combine(value, datetime.time.min)
    return _local(value, zone).astimezone(UTC)


def _local_date(value: Moment, zone: ZoneInfo) -> datetime.date:
    return _local(value, zone).date() if isinstance(value, datetime.datetime) else value


def _plus(value: Moment, delta: relativedelta, zone: ZoneInfo) -> Moment:
    """Calendar arithmetic: a date stays a date; a datetime moves in local wall-clock time."""
    if isinstance(value, datetime.datetime):
        return _local(value, zone) + delta
    return value + delta


class _Period(NamedTuple):
    delta: relativedelta
    label: str


@functools.lru_cache(maxsize=256)
def _midnight_before(today: datetime.date, period: _Period, zone: ZoneInfo) -> datetime.datetime:
    # Every account of a run asks for the same few thresholds: calendar arithmetic is slow.
    return _instant(today - period.delta, zone)


@functools.cache  # a rule asks for the same few periods for every account
def _days(n: int) -> _Period:
    return _Period(relativedelta(days=n), _count(n, "day"))


@functools.cache
def _months(n: int) -> _Period:
    return _Period(relativedelta(months=n), _count(n, "month"))


@functools.cache
def _years(n: int) -> _Period:
    return _Period(relativedelta(years=n), _count(n, "year"))


def _count(n: int, unit: str) -> str:
    return f"{n} {unit}" if n == 1 else f"{n} {unit}s"


# ---------------------------------------------------------------------------------------------
# NOSP (§4)
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class NospDates:
    """A NOSP's lifecycle (§4): served; expires (the end of the cooling-off period, served +
    nosp_active_after_months); valid until (expires + nosp_valid_for_weeks). Dates stay dates;
    datetimes are aware, in local time. Any NOSP ever served counts as "served": no expiry."""

    served: Moment
    expires: Moment
    valid_until: Moment

    def in_cooling_off(self, now: datetime.datetime) -> bool:
        """The expiry is still in the future."""
        return _instant(self.expires, local_zone()) > now

    def is_valid(self, now: datetime.datetime) -> bool:
        """Valid-until is in the future."""
        return _instant(self.valid_until, local_zone()) > now

    def is_active(self, now: datetime.datetime) -> bool:
        """Valid and past its expiry: court action may proceed. At the very instant of expiry it is
        neither in cooling-off nor active, as in the published code."""
        return self.is_valid(now) and _instant(self.expires, local_zone()) < now


def nosp_dates(served_at: Moment | None, settings: RuleSettings = DEFAULT_SETTINGS) -> NospDates | None:
    """The NOSP's dates from its served date, or None when no NOSP has been served."""
    if served_at is None:
        return None
    zone = local_zone()
    expires = _plus(served_at, relativedelta(months=settings.nosp_active_after_months), zone)
    valid_until = _plus(expires, relativedelta(weeks=settings.nosp_valid_for_weeks), zone)
    if isinstance(served_at, datetime.datetime):
        served_at = _local(served_at, zone)
    return NospDates(served=served_at, expires=expires, valid_until=valid_until)


# ---------------------------------------------------------------------------------------------
# Outcomes
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One rule's verdict: `rule` is its classification value (or "no_action"); `reason` a sentence."""

    rule: str
    fired: bool
    reason: str


@dataclass(frozen=True)
class Outcome:
    """The classification, the rule that fired ("no_action" when none did) and the explanation:
    the firing step alone, or with `explain` one step per rule up to and including it."""

    classification: Classification
    rule: str
    explanation: tuple[Step, ...]


# ---------------------------------------------------------------------------------------------
# The context the conditions read: the facts, normalised, and the shared predicates of §3
# ---------------------------------------------------------------------------------------------


def _code(value: str | None) -> str | None:
    value = value.strip().upper() if isinstance(value, str) else None
    return value or None


def _word(value: str | None) -> str | None:
    value = value.strip().lower() if isinstance(value, str) else None
    return value or None


def _amount(value: Any) -> Decimal | None:
    """Money as a finite Decimal; anything else is unknown."""
    if isinstance(value, bool) or value is None:
        return None
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return amount if amount.is_finite() else None


@dataclass(frozen=True, slots=True)
class _Context:
    facts: Facts
    settings: RuleSettings
    zone: ZoneInfo
    now: datetime.datetime  # UTC
    today: datetime.date  # local
    comm_code: str | None
    comm_at: datetime.datetime | None
    court_at: datetime.datetime | None
    outcome: str | None
    agreement_type: str | None
    agreement_state: str | None
    collectable: Decimal | None
    rent: Decimal | None
    grace: Decimal | None
    after_grace: Decimal | None
    nosp: NospDates | None
    days_since_payment: int | None
    # The §3 predicates nearly every rule asks, worked out once per account.
    paused: bool
    court_in_future: bool
    prevented: bool

    @classmethod
    def build(cls, facts: Facts, now: datetime.datetime, settings: RuleSettings) -> _Context:
        zone = local_zone()
        collectable = _amount(facts.collectable_arrears)
        rent = _amount(facts.weekly_gross_rent)
        grace = after_grace = None
        if rent is not None:
            # §3 grace amount: one week's rent less what has been paid this week (payments are
            # negative), never below 0. A missing payments total means nothing paid this week.
            grace = max(Decimal(0), settings.grace_weeks * rent + (_amount(facts.payments_this_week_total) or 0))
            if collectable is not None:
                after_grace = collectable - grace
        today = now.astimezone(zone).date()
        days_since_payment = None
        if facts.last_payment_at is not None:
            days_since_payment = (today - _local_date(facts.last_payment_at, zone)).days
        instant = now.astimezone(UTC)
        court_at = None if facts.court_date is None else _instant(facts.court_date, zone)
        # Paused only while the pause-until instant is in the future: "until today" is not paused.
        paused = facts.paused_until is not None and _instant(facts.paused_until, zone) > instant
        court_in_future = court_at is not None and court_at > instant
        return cls(
            facts=facts,
            settings=settings,
            zone=zone,
            now=instant,
            today=today,
            comm_code=_code(facts.last_communication_code),
            comm_at=None if facts.last_communication_at is None else _instant(facts.last_communication_at, zone),
            court_at=court_at,
            outcome=_code(facts.court_outcome_code),
            agreement_type=_word(facts.agreement_type),
            agreement_state=_word(facts.agreement_state),
            collectable=collectable,
            rent=rent,
            grace=grace,
            after_grace=after_grace,
            nosp=nosp_dates(facts.nosp_served_at, settings),
            days_since_payment=days_since_payment,
            paused=paused,
            court_in_future=court_in_future,
            # Any eviction date, past or future, blocks (§12.2).
            prevented=facts.eviction_date is not None or court_in_future or paused,
        )

    def ago(self, period: _Period) -> datetime.datetime:
        """The threshold of "period old": local midnight of (today - period) (§10)."""
        return _midnight_before(self.today, period, self.zone)

    # §3 predicates ---------------------------------------------------------------------------

    @property
    def court_case_exists(self) -> bool:
        return self.court_at is not None or self.outcome is not None

    @property
    def outcome_missing(self) -> bool:
        return self.court_at is not None and not self.court_in_future and self.outcome is None

    @property
    def warrant_active(self) -> bool:
        return (
            self.court_at is not None
            and self.outcome in self.settings.warrant_active_outcomes
            and self.court_at > self.ago(_years(self.settings.warrant_life_years))
        )

    @property
    def court_case_expired(self) -> bool:
        """§5: struck out (strike-out date on or before today), or at end of life (an end-of-life
        outcome and court date + warrant life on or before today)."""
        strike_out = self.facts.court_strike_out_date
        if strike_out is not None and _local_date(strike_out, self.zone) <= self.today:
            return True
        court_date = self.facts.court_date
        return (
            court_date is not None
            and self.outcome in self.settings.end_of_life_outcomes
            and _local_date(court_date, self.zone) + relativedelta(years=self.settings.warrant_life_years) <= self.today
        )

    @property
    def results_in_agreement(self) -> bool:
        return self.court_case_exists and self.facts.court_outcome_has_terms is True and not self.court_case_expired

    @property
    def active_agreement(self) -> bool:
        return self.agreement_state in ACTIVE_AGREEMENT_STATES

    @property
    def breached_agreement(self) -> bool:
        return self.agreement_state == "breached" and self.facts.agreement_start_at is not None

    @property
    def informal_breached(self) -> bool:
        # "Not formal", so a breached agreement of unknown type counts as informal.
        return self.breached_agreement and self.agreement_type != "formal"

    @property
    def agreement_starts_on_or_after_court(self) -> bool:
        start, court = self.facts.agreement_start_at, self.facts.court_date
        if start is None or court is None:
            return False
        return _on_or_after(start, court, self.zone)

    @property
    def court_breach(self) -> bool:
        return (
            self.breached_agreement
            and self.agreement_type == "formal"
            and self.court_at is not None
            and self.agreement_starts_on_or_after_court
        )

    def comm_newer_than(self, period: _Period) -> bool:
        """§3: a last-communication date exists and is after the threshold ("less than N old")."""
        return self.comm_at is not None and self.comm_at > self.ago(period)

    def comm_older_than(self, period: _Period) -> bool:
        """§3: a last-communication date exists and is on or before the threshold ("at least N old")."""
        return self.comm_at is not None and self.comm_at <= self.ago(period)

    # Shown in reasons ------------------------------------------------------------------------

    def comm(self) -> str:
        code = self.comm_code or "(no code)"
        at = self.facts.last_communication_at
        return f"{code} on {_show(at, self.zone)}" if at is not None else f"{code} (no date)"

    def show(self, value: Moment | None) -> str:
        return _show(value, self.zone)


def _on_or_after(start: Moment, court: Moment, zone: ZoneInfo) -> bool:
    """Agreement start vs court date (§3, §10): full timestamps when both carry a time of day;
    when either is a bare date, by local day, so an agreement starting on the day of the hearing
    counts as "on or after" it (same day allowed)."""
    if isinstance(start, datetime.datetime) and isinstance(court, datetime.datetime):
        return _instant(start, zone) >= _instant(court, zone)
    return _local_date(start, zone) >= _local_date(court, zone)


def _show(value: Moment | None, zone: ZoneInfo) -> str:
    if value is None:
        return "(none)"
    if not isinstance(value, datetime.datetime):
        return value.isoformat()
    local = _local(value, zone)
    return local.strftime("%Y-%m-%d %H:%M:%S" if local.second or local.microsecond else "%Y-%m-%d %H:%M")


def _money(value: Decimal | None) -> str:
    if value is None:
        return "(unknown)"
    sign = "-" if value < 0 else ""
    return f"{sign}£{abs(value):,.2f}"


def _codes(codes: Iterable[str]) -> str:
    return ", ".join(codes) or "(none)"


# ---------------------------------------------------------------------------------------------
# Conditions and rules
# ---------------------------------------------------------------------------------------------

Text = Callable[[_Context], str]


@dataclass(frozen=True, slots=True)
class Condition:
    """One named test of a rule: `holds` decides; `met` says what held (for a rule that fired);
    `blocked` says, with the values, why it did not (for the first condition that failed)."""

    name: str
    holds: Callable[[_Context], bool]
    met: Text
    blocked: Text


def _const(text: str) -> Text:
    return lambda _context: text


def _condition(name: str, holds: Callable[[_Context], bool], met: str | Text, blocked: str | Text) -> Condition:
    return Condition(
        name,
        holds,
        _const(met) if isinstance(met, str) else met,
        _const(blocked) if isinstance(blocked, str) else blocked,
    )


@dataclass(frozen=True, slots=True)
class Rule:
    classification: Classification
    conditions: tuple[Condition, ...]

    def first_blocker(self, context: _Context) -> Condition | None:
        for condition in self.conditions:  # a plain loop: this runs ~10 times per account nightly
            if not condition.holds(context):
                return condition
        return None

    def fired_reason(self, context: _Context) -> str:
        return _sentence([condition.met(context) for condition in self.conditions])


def _sentence(clauses: list[str]) -> str:
    clauses = list(dict.fromkeys(clauses))  # a clause shared by several conditions is said once
    text = clauses[0] if len(clauses) == 1 else f"{', '.join(clauses[:-1])}, and {clauses[-1]}"
    return f"{text[:1].upper()}{text[1:]}."


# Shared conditions (§3) ------------------------------------------------------------------------


def _prevent_reason(c: _Context) -> str:
    if c.facts.eviction_date is not None:
        return f"there is an eviction date ({c.show(c.facts.eviction_date)})"
    if c.court_in_future:
        return f"the court date {c.show(c.facts.court_date)} is in the future"
    return f"the case is paused until {c.show(c.facts.paused_until)}"


NOT_PREVENTED = _condition(
    "not prevented",
    lambda c: not c.prevented,
    "nothing prevents action (no eviction date, no future court date, not paused)",
    _prevent_reason,
)
NOT_PAUSED = _condition(
    "not paused",
    lambda c: not c.paused,
    "the case is not paused",
    lambda c: f"the case is paused until {c.show(c.facts.paused_until)}",
)
HAS_ARREARS = _condition(
    "collectable arrears known",
    lambda c: c.collectable is not None,
    lambda c: f"collectable arrears are {_money(c.collectable)}",
    "the collectable arrears are not known",
)
HAS_RENT = _condition(
    "weekly gross rent known",
    lambda c: c.rent is not None,
    lambda c: f"the weekly gross rent is {_money(c.rent)}",
    "the weekly gross rent is not known",
)
NO_NOSP_SERVED = _condition(
    "no NOSP ever served",
    lambda c: c.nosp is None,
    "no NOSP has ever been served",
    # §12.1: any NOSP ever recorded counts, however long ago.
    lambda c: f"a NOSP was served on {c.show(c.facts.nosp_served_at)}",
)
NOSP_SERVED = _condition(
    "NOSP served",
    lambda c: c.nosp is not None,
    lambda c: f"a NOSP was served on {c.show(c.facts.nosp_served_at)}",
    "no NOSP has been served",
)
NO_ACTIVE_AGREEMENT = _condition(
    "no active agreement",
    lambda c: not c.active_agreement,
    "there is no active agreement",
    # §12.4: a breached agreement still counts as active.
    lambda c: f"the latest agreement is {c.agreement_state}, which counts as active",
)
NO_BREACH_UNLESS_COURT = _condition(
    # Redundant after NO_ACTIVE_AGREEMENT (§12.4) but kept, as published.
    "no breached agreement unless a court breach",
    lambda c: not c.breached_agreement or c.court_breach,
    "no breached agreement other than a court breach",
    "the latest agreement is breached and is not a court breach",
)
NO_COURT_DATE = _condition(
    "no court date",
    lambda c: c.court_at is None,
    "there is no court date",
    lambda c: f"there is a court date ({c.show(c.facts.court_date)})",
)
COURT_DATE_PRESENT = _condition(
    "court date present",
    lambda c: c.court_at is not None,
    lambda c: f"the court date is {c.show(c.facts.court_date)}",
    "there is no court date",
)
COURT_DATE_NOT_FUTURE = _condition(
    "court date not in the future",
    lambda c: not c.court_in_future,
    "the hearing has taken place",
    lambda c: f"the court date {c.show(c.facts.court_date)} is in the future",
)
COURT_DATE_NOT_PAST = _condition(
    "court date not in the past",
    lambda c: c.court_at is None or c.court_at >= c.now,
    "no hearing has taken place",
    lambda c: f"the court date {c.show(c.facts.court_date)} is in the past",
)


def _court_breach_gap(c: _Context) -> str:
    if c.agreement_state != "breached":
        return (
            f"the latest agreement is {c.agreement_state}, not breached"
            if c.agreement_state
            else "there is no agreement"
        )
    if c.facts.agreement_start_at is None:
        return "the breached agreement has no start date"
    if c.agreement_type != "formal":
        return "the breached agreement is not a formal (court) agreement"
    if c.court_at is None:
        return "there is no court date"
    return (
        f"the formal agreement started on {c.show(c.facts.agreement_start_at)}, "
        f"before the court date {c.show(c.facts.court_date)}"
    )


COURT_BREACH = _condition(
    "court breach agreement",
    lambda c: c.court_breach,
    lambda c: f"the formal agreement from {c.show(c.facts.agreement_start_at)} (on or after the hearing) is breached",
    _court_breach_gap,
)
NOT_COURT_BREACH = _condition(
    "not a court breach agreement",
    lambda c: not c.court_breach,
    "the agreement is not a breached court agreement",
    "the latest agreement is a breached formal agreement made on or after the hearing",
)


def _informal_breach_gap(c: _Context) -> str:
    if c.agreement_state != "breached":
        return (
            f"the latest agreement is {c.agreement_state}, not breached"
            if c.agreement_state
            else "there is no agreement"
        )
    if c.facts.agreement_start_at is None:
        return "the breached agreement has no start date"
    return "the breached agreement is formal, not informal"


INFORMAL_BREACHED = _condition(
    "informal agreement breached",
    lambda c: c.informal_breached,
    lambda c: f"the informal agreement from {c.show(c.facts.agreement_start_at)} is breached",
    _informal_breach_gap,
)


def _in_arrears_by(name: str, target: Callable[[_Context], Decimal | None], what: Text) -> Condition:
    """§3 "in arrears by": arrears after grace (collectable arrears less the grace amount) reach the target."""

    def holds(c: _Context) -> bool:
        goal = target(c)
        return c.after_grace is not None and goal is not None and c.after_grace >= goal

    def figures(c: _Context) -> str:
        return (
            f"arrears after grace {_money(c.after_grace)} "
            f"(collectable {_money(c.collectable)} less grace {_money(c.grace)})"
        )

    def blocked(c: _Context) -> str:
        if c.after_grace is None:
            return (
                "the arrears after grace cannot be worked out without the collectable arrears and the weekly gross rent"
            )
        return f"{figures(c)} are below {what(c)}"

    return _condition(name, holds, lambda c: f"{figures(c)} are at least {what(c)}", blocked)


LETTER_ARREARS = _in_arrears_by(
    "in arrears by the letter amount",
    lambda c: c.settings.letter_arrears_min,
    lambda c: _money(c.settings.letter_arrears_min),
)
NOSP_ARREARS = _in_arrears_by(
    "in arrears by weeks of rent",
    lambda c: None if c.rent is None else c.rent * c.settings.nosp_arrears_weeks,
    lambda c: (
        f"{_count(c.settings.nosp_arrears_weeks, 'week')}' gross rent "
        f"({_money((c.rent or Decimal(0)) * c.settings.nosp_arrears_weeks)})"
    ),
)

# Last communication (§3, §8) ---------------------------------------------------------------------
# The published rules say "at least N old" in two ways: `older_than?` (a date must exist) and
# `!newer_than?` (true also when the last communication has no date). Each rule below uses the
# form its ruleset uses; they differ only for a code recorded without a date.

PeriodOf = Callable[[RuleSettings], _Period]
CodesOf = Callable[[RuleSettings], tuple[str, ...]]


def _comm_code_in(codes: CodesOf, what: str) -> Condition:
    def blocked(c: _Context) -> str:
        if c.comm_code is None:
            return f"there is no last communication; it must be {what} ({_codes(codes(c.settings))})"
        return f"the last communication {c.comm()} is not {what} ({_codes(codes(c.settings))})"

    return _condition(
        f"last communication is {what}",
        lambda c: c.comm_code in codes(c.settings),
        lambda c: f"the last communication {c.comm()} is {what}",
        blocked,
    )


def _comm_code_not_in(codes: CodesOf, what: str) -> Condition:
    return _condition(
        f"last communication is not {what}",
        lambda c: c.comm_code not in codes(c.settings),
        lambda c: f"the last communication {c.comm()} is not {what}" if c.comm_code else "no communication is recorded",
        lambda c: f"the last communication {c.comm()} is {what}",
    )


def _comm_not_newer_than(period: PeriodOf) -> Condition:
    """`!newer_than?`: at least the period old, or no date at all."""
    return _condition(
        "last communication not newer than",
        lambda c: not c.comm_newer_than(period(c.settings)),
        lambda c: (
            f"the last communication {c.comm()} is at least {period(c.settings).label} old"
            if c.comm_at is not None
            else "the last communication has no date"
        ),
        lambda c: f"the last communication {c.comm()} is less than {period(c.settings).label} old",
    )


def _comm_not_older_than(period: PeriodOf) -> Condition:
    """`!older_than?`: less than the period old, or no date at all."""
    return _condition(
        "last communication not older than",
        lambda c: not c.comm_older_than(period(c.settings)),
        lambda c: (
            f"the last communication {c.comm()} is less than {period(c.settings).label} old"
            if c.comm_at is not None
            else "the last communication has no date"
        ),
        lambda c: f"the last communication {c.comm()} is at least {period(c.settings).label} old",
    )


def _comm_older_than(period: PeriodOf) -> Condition:
    """`older_than?`: a date exists and is at least the period old."""
    return _condition(
        "last communication older than",
        lambda c: c.comm_older_than(period(c.settings)),
        lambda c: f"the last communication {c.comm()} is at least {period(c.settings).label} old",
        lambda c: (
            f"the last communication {c.comm()} is less than {period(c.settings).label} old"
            if c.comm_at is not None
            else f"the last communication {c.comm()} has no date, so it is not known to be "
            f"at least {period(c.settings).label} old"
        ),
    )


def _comm_newer_than(period: PeriodOf) -> Condition:
    """`newer_than?`: a date exists and is less than the period old."""
    return _condition(
        "last communication newer than",
        lambda c: c.comm_newer_than(period(c.settings)),
        lambda c: f"the last communication {c.comm()} is less than {period(c.settings).label} old",
        lambda c: (
            f"the last communication {c.comm()} is at least {period(c.settings).label} old"
            if c.comm_at is not None
            else f"the last communication {c.comm()} has no date, so it is not known to be "
            f"less than {period(c.settings).label} old"
        ),
    )


def _unless_nosp_served(condition: Condition) -> Condition:
    """§7 #8: the Letter 2 prerequisite applies only when no NOSP has ever been served, so an
    expired NOSP leads straight to a new one (§7.1 step 10)."""
    return _condition(
        f"{condition.name} (unless a NOSP was served)",
        lambda c: c.nosp is not None or condition.holds(c),
        lambda c: "an earlier NOSP was served, so no Letter 2 is needed" if c.nosp is not None else condition.met(c),
        lambda c: f"no NOSP has ever been served and {condition.blocked(c)}",
    )


# Rule-specific conditions ----------------------------------------------------------------------


def _sms_quiet(c: _Context) -> bool:
    # §7 #3, §12.3: an SMS holds back another for 7 days; any other communication for 3 months.
    if c.comm_code is None:
        return True
    if c.comm_code in c.settings.sms_codes:
        return not c.comm_newer_than(_days(c.settings.sms_repeat_after_days))
    return not c.comm_newer_than(_months(c.settings.sms_quiet_after_other_months))


def _sms_quiet_period(c: _Context) -> str:
    if c.comm_code in c.settings.sms_codes:
        return _days(c.settings.sms_repeat_after_days).label
    return _months(c.settings.sms_quiet_after_other_months).label


SMS_QUIET = _condition(
    "no communication in the quiet period",
    _sms_quiet,
    "no communication in the quiet period",
    lambda c: f"the last communication {c.comm()} is less than {_sms_quiet_period(c)} old",
)
SMS_BELOW_MAX = _condition(
    "collectable arrears below the SMS ceiling",
    lambda c: c.collectable is not None and c.collectable < c.settings.sms_arrears_below,
    lambda c: f"collectable arrears are below {_money(c.settings.sms_arrears_below)}",
    lambda c: f"collectable arrears {_money(c.collectable)} are not below {_money(c.settings.sms_arrears_below)}",
)
SMS_AT_LEAST_MIN = _condition(
    # Raw collectable arrears, no grace deducted (§7 #3).
    "collectable arrears at least the SMS floor",
    lambda c: c.collectable is not None and c.collectable >= c.settings.sms_arrears_min,
    lambda c: f"collectable arrears are at least {_money(c.settings.sms_arrears_min)}",
    lambda c: f"collectable arrears {_money(c.collectable)} are below {_money(c.settings.sms_arrears_min)}",
)
LETTER_ONE_QUIET = _condition(
    "no recent Letter 1 or later letter",
    lambda c: (
        not (
            c.comm_code in c.settings.letter_one_or_later_codes
            and c.comm_newer_than(_months(c.settings.letter_one_quiet_months))
        )
    ),
    lambda c: f"no Letter 1 or later letter in the last {_months(c.settings.letter_one_quiet_months).label}",
    lambda c: f"the last communication {c.comm()} is less than {_months(c.settings.letter_one_quiet_months).label} old",
)
COURT_DATE_WITHIN_POSSESSION_WINDOW = _condition(
    "court date recent enough for a possession warrant",
    # Published as `return false if courtdate < 3.months.ago`: the threshold itself still counts.
    lambda c: c.court_at is not None and c.court_at >= c.ago(_months(c.settings.possession_warrant_within_months)),
    lambda c: f"the hearing was at most {_months(c.settings.possession_warrant_within_months).label} ago",
    lambda c: (
        f"the court date {c.show(c.facts.court_date)} is more than "
        f"{_months(c.settings.possession_warrant_within_months).label} ago"
    ),
)
OUTCOME_CALLS_FOR_POSSESSION = _condition(
    "court outcome is outright possession",
    lambda c: c.outcome in c.settings.possession_outcomes,
    lambda c: f"the court outcome {c.outcome} is outright possession",
    lambda c: (
        f"the court outcome {c.outcome} is not one of {_codes(c.settings.possession_outcomes)}"
        if c.outcome
        else "there is no court outcome"
    ),
)
OUTCOME_BLANK = _condition(
    "court outcome blank",
    lambda c: c.outcome is None,
    "no court outcome is recorded",
    lambda c: f"the court outcome {c.outcome} is recorded",
)
LETTER_FAILED = _condition(
    "latest letter failed",
    # §7 #2, §12.5: nothing blocks this rule, not even a pause.
    lambda c: c.facts.latest_letter_status in c.settings.failed_letter_statuses,
    lambda c: f"the latest letter's status is {c.facts.latest_letter_status}",
    lambda c: (
        f"the latest letter's status {c.facts.latest_letter_status} is not a failure"
        if c.facts.latest_letter_status
        else "no letter has failed"
    ),
)
NOSP_NOT_VALID = _condition(
    "no valid NOSP",
    lambda c: c.nosp is None or not c.nosp.is_valid(c.now),
    lambda c: (
        "no NOSP has been served"
        if c.nosp is None
        else f"the NOSP served on {c.show(c.nosp.served)} stopped being valid on {c.show(c.nosp.valid_until)}"
    ),
    lambda c: (
        f"the NOSP served on {c.show(c.nosp.served if c.nosp else None)} is valid until "
        f"{c.show(c.nosp.valid_until if c.nosp else None)}"
    ),
)


def _nosp_inactive_reason(c: _Context) -> str:
    if c.nosp is None:
        return "no NOSP has been served"
    if not c.nosp.is_valid(c.now):
        return f"the NOSP served on {c.show(c.nosp.served)} stopped being valid on {c.show(c.nosp.valid_until)}"
    return f"the NOSP served on {c.show(c.nosp.served)} is in its cooling-off period until {c.show(c.nosp.expires)}"


NOSP_ACTIVE = _condition(
    "NOSP valid and active",
    lambda c: c.nosp is not None and c.nosp.is_active(c.now),
    lambda c: (
        f"the NOSP served on {c.show(c.facts.nosp_served_at)} is active until "
        f"{c.show(c.nosp.valid_until if c.nosp else None)}"
    ),
    _nosp_inactive_reason,
)
WARRANT_NOT_ACTIVE = _condition(
    "court warrant not active",
    lambda c: not c.warrant_active,
    "no court warrant is active",
    lambda c: (
        f"the court warrant is active (outcome {c.outcome} on {c.show(c.facts.court_date)}, "
        f"less than {_years(c.settings.warrant_life_years).label} ago)"
    ),
)
OUTCOME_NOT_MISSING = _condition(
    "court outcome not missing",
    lambda c: not c.outcome_missing,
    "no court outcome is missing",
    lambda c: f"the outcome of the hearing on {c.show(c.facts.court_date)} is missing",
)
COURT_DATE_NOT_AFTER_COMM = _condition(
    # §7 #14: the court warning letter was sent after the latest hearing.
    "court date not after the last communication",
    lambda c: c.court_at is None or (c.comm_at is not None and c.court_at <= c.comm_at),
    lambda c: (
        "there is no court date"
        if c.court_at is None
        else f"the court date {c.show(c.facts.court_date)} is not after the last communication"
    ),
    lambda c: f"the court date {c.show(c.facts.court_date)} is after the last communication {c.comm()}",
)


def _no_payment_days(c: _Context) -> int:
    # Published as `days_since_last_payment.to_i`: never paid counts as 0 days (§12.6).
    return c.days_since_payment if c.days_since_payment is not None else 0


NO_PAYMENT_FOR = _condition(
    "no payment for long enough",
    lambda c: _no_payment_days(c) >= c.settings.court_breach_no_payment_days,
    lambda c: f"the last payment on {c.show(c.facts.last_payment_at)} was {_count(_no_payment_days(c), 'day')} ago",
    lambda c: (
        f"the last payment on {c.show(c.facts.last_payment_at)} was {_count(_no_payment_days(c), 'day')} ago, "
        f"less than {_count(c.settings.court_breach_no_payment_days, 'day')}"
        if c.facts.last_payment_at is not None
        else "no payment has ever been recorded, which counts as 0 days since the last payment"
    ),
)


def _formal_agreement_missing(c: _Context) -> bool:
    # §7 #15 (c): no formal latest agreement, or one that starts before the court date.
    if c.agreement_type != "formal":
        return True
    if c.facts.agreement_start_at is None:
        return True
    return c.facts.court_date is not None and not c.agreement_starts_on_or_after_court


def _data_problems(c: _Context) -> list[str]:
    problems = []
    if c.warrant_active and not c.active_agreement:
        problems.append(
            f"the court warrant is active (outcome {c.outcome} on {c.show(c.facts.court_date)}) "
            "but there is no active agreement"
        )
    if c.court_at is None and c.outcome is not None:
        problems.append(f"the court case has an outcome ({c.outcome}) but no court date")
    if c.results_in_agreement and _formal_agreement_missing(c):
        problems.append(
            "the court set terms but "
            + (
                "there is no formal agreement"
                if c.agreement_type != "formal"
                else f"the formal agreement starts on {c.show(c.facts.agreement_start_at)}, "
                f"before the court date {c.show(c.facts.court_date)}"
            )
        )
    return problems


CASE_DATA_NEEDS_CHECKING = _condition(
    "case data needs checking",
    lambda c: bool(_data_problems(c)),
    lambda c: " and ".join(_data_problems(c)),
    "the court data is consistent (no active warrant without an agreement, no outcome without a court date, "
    "and no court terms without a formal agreement made on or after the hearing)",
)


def _period(attribute: str, unit: Callable[[int], _Period]) -> PeriodOf:
    return lambda s: unit(getattr(s, attribute))


def _one(attribute: str) -> CodesOf:
    return lambda s: (getattr(s, attribute),)


# The rules, in §7 order; within each, the conditions in the published ruleset's order ----------

RULES: tuple[Rule, ...] = (
    # §7 #1: an outright possession order within 3 months, no agreement, no warrant applied for yet.
    Rule(
        Classification.APPLY_FOR_OUTRIGHT_POSSESSION_WARRANT,
        (
            NOT_PREVENTED,
            NO_ACTIVE_AGREEMENT,
            COURT_DATE_PRESENT,
            COURT_DATE_NOT_FUTURE,
            COURT_DATE_WITHIN_POSSESSION_WINDOW,
            _comm_code_not_in(_one("warrant_applied_code"), "the warrant-applied code"),
            OUTCOME_CALLS_FOR_POSSESSION,
        ),
    ),
    # §7 #2, §12.5: a failed letter is reviewed whatever else holds, even when paused.
    Rule(Classification.REVIEW_FAILED_LETTER, (LETTER_FAILED,)),
    # §7 #3: £5 to under £10 of raw collectable arrears, nothing legal under way, not recently contacted.
    Rule(
        Classification.SEND_FIRST_SMS,
        (
            NOT_PREVENTED,
            HAS_ARREARS,
            NO_COURT_DATE,
            NO_NOSP_SERVED,
            NO_ACTIVE_AGREEMENT,
            NO_BREACH_UNLESS_COURT,
            SMS_BELOW_MAX,
            SMS_QUIET,
            SMS_AT_LEAST_MIN,
        ),
    ),
    # §7 #4: £10 after grace, and no Letter 1 or later letter in the last 3 months.
    Rule(
        Classification.SEND_LETTER_ONE,
        (
            NOT_PREVENTED,
            HAS_ARREARS,
            HAS_RENT,
            NO_NOSP_SERVED,
            NO_ACTIVE_AGREEMENT,
            NO_BREACH_UNLESS_COURT,
            LETTER_ONE_QUIET,
            LETTER_ARREARS,
            NO_COURT_DATE,
        ),
    ),
    # §7 #5: 14 days to 3 months after Letter 1, still £10 after grace.
    Rule(
        Classification.SEND_LETTER_TWO,
        (
            NOT_PREVENTED,
            HAS_ARREARS,
            HAS_RENT,
            NO_ACTIVE_AGREEMENT,
            NO_BREACH_UNLESS_COURT,
            NO_NOSP_SERVED,
            _comm_code_in(lambda s: s.letter_one_codes, "a Letter 1"),
            _comm_not_newer_than(_period("letter_two_after_days", _days)),
            _comm_not_older_than(_period("letter_two_within_months", _months)),
            LETTER_ARREARS,
            NO_COURT_DATE,
        ),
    ),
    # §7 #6: the hearing has passed and no outcome was recorded.
    Rule(
        Classification.UPDATE_COURT_OUTCOME,
        (NOT_PREVENTED, COURT_DATE_PRESENT, COURT_DATE_NOT_FUTURE, NOT_COURT_BREACH, OUTCOME_BLANK),
    ),
    # §7 #7: 7 days to 3 months after the court breach letter.
    Rule(
        Classification.COURT_BREACH_VISIT,
        (
            NOT_PREVENTED,
            COURT_DATE_PRESENT,
            COURT_BREACH,
            _comm_code_in(_one("court_breach_letter_code"), "the court breach letter"),
            _comm_older_than(_period("court_breach_visit_after_days", _days)),
            _comm_newer_than(_period("court_breach_visit_within_months", _months)),
        ),
    ),
    # §7 #8: 4 weeks' rent after grace, no valid NOSP; a first NOSP needs Letter 2 7 days to 3 months ago.
    Rule(
        Classification.SEND_NOSP,
        (
            NOT_PREVENTED,
            HAS_ARREARS,
            HAS_RENT,
            NO_ACTIVE_AGREEMENT,
            NOSP_NOT_VALID,
            WARRANT_NOT_ACTIVE,
            OUTCOME_NOT_MISSING,
            _unless_nosp_served(_comm_code_in(lambda s: s.letter_two_codes, "a Letter 2")),
            _unless_nosp_served(_comm_not_older_than(_period("nosp_after_letter_two_within_months", _months))),
            _unless_nosp_served(_comm_not_newer_than(_period("nosp_after_letter_two_days", _days))),
            NOSP_ARREARS,
        ),
    ),
    # §7 #9: a week after the court breach visit, and no payment for 8 days (§12.6: never paid fails).
    Rule(
        Classification.COURT_BREACH_NO_PAYMENT,
        (
            NOT_PREVENTED,
            COURT_DATE_PRESENT,
            COURT_BREACH,
            NO_PAYMENT_FOR,
            _comm_code_in(_one("court_breach_visit_code"), "the court breach visit"),
            _comm_older_than(_period("court_breach_no_payment_after_visit_days", _days)),
        ),
    ),
    # §7 #10: an informal agreement is breached, no valid NOSP, no breach letter yet, quiet for 7 days.
    Rule(
        Classification.SEND_INFORMAL_AGREEMENT_BREACH_LETTER,
        (
            NOT_PREVENTED,
            NOSP_NOT_VALID,
            _comm_code_not_in(
                lambda s: (s.informal_breach_letter_code, s.court_breach_letter_code, s.court_breach_visit_code),
                "a breach letter or visit",
            ),
            _comm_not_newer_than(_period("informal_breach_letter_after_days", _days)),
            INFORMAL_BREACHED,
        ),
    ),
    # §7 #11: a week after the informal breach letter, still breached, and no NOSP ever served.
    Rule(
        Classification.INFORMAL_BREACHED_AFTER_LETTER,
        (
            NOT_PREVENTED,
            NO_NOSP_SERVED,
            _comm_code_in(_one("informal_breach_letter_code"), "the informal breach letter"),
            _comm_not_newer_than(_period("informal_breached_after_letter_days", _days)),
            INFORMAL_BREACHED,
        ),
    ),
    # §7 #12: a court agreement is breached and neither the breach letter nor the visit is the last step.
    Rule(
        Classification.ADDRESS_COURT_AGREEMENT_BREACH,
        (
            NOT_PREVENTED,
            _comm_code_not_in(
                lambda s: (s.court_breach_letter_code, s.court_breach_visit_code), "the court breach letter or visit"
            ),
            COURT_BREACH,
        ),
    ),
    # §7 #13: the NOSP is active, 4 weeks' rent after grace, no court warning letter yet.
    Rule(
        Classification.SEND_COURT_WARNING_LETTER,
        (
            NOT_PREVENTED,
            HAS_ARREARS,
            HAS_RENT,
            NO_ACTIVE_AGREEMENT,
            _comm_code_not_in(_one("court_warning_letter_code"), "the court warning letter"),
            COURT_DATE_NOT_PAST,
            NOSP_ACTIVE,
            NOSP_ARREARS,
        ),
    ),
    # §7 #14: 14 days after the court warning letter, NOSP still active, 4 weeks' rent after grace.
    Rule(
        Classification.APPLY_FOR_COURT_DATE,
        (
            NOT_PREVENTED,
            HAS_ARREARS,
            HAS_RENT,
            NO_ACTIVE_AGREEMENT,
            NOSP_SERVED,
            _comm_code_in(_one("court_warning_letter_code"), "the court warning letter"),
            _comm_not_newer_than(_period("apply_for_court_after_warning_days", _days)),
            NOSP_ACTIVE,
            COURT_DATE_NOT_AFTER_COMM,
            NOSP_ARREARS,
        ),
    ),
    # §7 #15, §12.5: court data that does not add up; eviction and a future court date are ignored.
    Rule(Classification.CHECK_DATA, (NOT_PAUSED, CASE_DATA_NEEDS_CHECKING)),
)

_NO_RULE_FIRED = Step(rule=Classification.NO_ACTION.value, fired=True, reason="No rule fired.")
_SWITCHED_OFF = "Switched off in the rule settings."


@functools.lru_cache(maxsize=16)
def _plan(enabled_rules: frozenset[Classification]) -> tuple[tuple[Rule, str, bool], ...]:
    """Each rule in order with its value and whether it may fire, worked out once per set of
    enabled rules (a frozenset keeps its hash, so the lookup per account is cheap)."""
    return tuple((rule, rule.classification.value, rule.classification in enabled_rules) for rule in RULES)


def classify(
    facts: Facts,
    *,
    now: datetime.datetime,
    settings: RuleSettings = DEFAULT_SETTINGS,
    explain: bool = False,
) -> Outcome:
    """The account's classification at `now` (timezone-aware): the first enabled rule in
    RULE_ORDER whose conditions all hold, else no_action. With `explain`, one Step per rule up
    to and including the one that fired (every rule and a final no_action step when none did),
    each naming the first condition that blocked it. Raises ValueError for a naive `now`."""
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("classify needs a timezone-aware `now`")
    context = _Context.build(facts, now, settings)
    steps: list[Step] = []
    for rule, value, enabled in _plan(settings.enabled_rules):
        if not enabled:
            if explain:
                steps.append(Step(rule=value, fired=False, reason=_SWITCHED_OFF))
            continue
        blocker = rule.first_blocker(context)
        if blocker is None:
            step = Step(rule=value, fired=True, reason=rule.fired_reason(context))
            return Outcome(rule.classification, value, (*steps, step) if explain else (step,))
        if explain:
            steps.append(Step(rule=value, fired=False, reason=f"Blocked: {blocker.blocked(context)}."))
    return Outcome(Classification.NO_ACTION, Classification.NO_ACTION.value, (*steps, _NO_RULE_FIRED))
