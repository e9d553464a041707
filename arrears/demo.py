"""Demo arrears for `manage.py seed_demo`: officers for the North patches, about sixty-five rent
accounts and ten leaseholders' service-charge accounts, each with a year of charges and
payments, and accounts designed to stand on every rung of the arrears ladder, so the worktray
shows every recommended action (arrears-rules.md §7). Runs after casework's demo (INSTALLED_APPS
order), whose patches, staff and secure tenancies it uses. It adds council homes of its own in
new streets of the North patches: the council's stock is in the North; the South's homes belong
to the housing association, whose assured tenancies the default rule set leaves out of scope.

Dates are relative to the day it runs: ledgers end this week, and letters, notices and hearings
are so many days ago, so each account is on its rung whatever the day. The plan is drawn from
ctx.rng before anything is written (each account's story from a seed of its own); homes are
looked up by address and accounts by tenancy, and an account's history is written only when the
account is created, so a second run creates nothing and changes no classification. Notices,
hearings, outcomes, arrangements, evictions, pauses and the failed letter go through the
services (the patch officer as actor); the history before them (ledger, letters, texts, visits)
is loaded as an import from the housing system would load it. Automation stays off: the final
classification run sends nothing.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from arrears.demo_stories import (
    LEASEHOLD,
    LEASEHOLD_STORIES,
    RENT_STORIES,
    SECURE,
    ZERO,
    Script,
    Story,
    money,
    script_for,
)
from arrears.models import (
    AccountKind,
    ActionDiaryEntry,
    DiarySource,
    PatchOfficer,
    PauseReason,
    RentAccount,
    Transaction,
)
from arrears.services import diary as diary_services
from arrears.services import legal
from arrears.services.classification import accounts_classify
from casework import demo as casework_demo
from casework import services as casework_services
from casework.models import Household, Patch, Property, Tenancy
from communications import services as communications
from communications.models import Template
from core import errors
from core.models import User
from core.seeding import DemoContext

OFFICERS = {"N01": "rents@demo.example", "N02": "rents@demo.example", "N03": "caseworker@demo.example"}
FALLBACK_ACTOR = "rents@demo.example"

# New council streets (the postcode lookup puts DB1 in N01 Millbrook, DB2 in N02 Castle Hill, DB3
# in N03 Northgate): postcode district, street, block (flats) or None (houses), secure homes,
# leasehold flats (bought under the right to buy: a service charge, no rent).
STREETS = [
    ("DB1", "Tanner's Walk", None, 9, 0),
    ("DB1", "Millrace Court", "Millrace House", 8, 4),
    ("DB2", "Bailey Road", None, 9, 0),
    ("DB2", "Portcullis Court", "Gatehouse Tower", 8, 3),
    ("DB3", "Ironworks Lane", None, 8, 0),
    ("DB3", "Smithy Court", "Anvil House", 8, 3),
]


@dataclass
class HomePlan:
    line_1: str
    line_2: str
    postcode: str
    people: list[casework_demo.PersonPlan]
    tenure: str
    start: datetime.date
    rent: Decimal
    service_charge: Decimal
    story: Story | None = None  # None: an account that just pays
    seed: int = 0


def build_plan(rng: random.Random) -> tuple[list[HomePlan], int]:
    """The new homes with their stories, and the seed of the existing tenancies' ledgers: drawn
    from `rng` only (no database reads, no dates), so every run draws the same."""
    homes: list[HomePlan] = []
    used: set[tuple[str, str]] = set()
    phones = [900400]  # after casework's demo numbers, inside Ofcom's drama range
    sizes, weights = zip(*casework_demo.HOUSEHOLD_SIZES, strict=True)
    units = casework_demo.POSTCODE_UNITS
    for district, street, block, secure, leasehold in STREETS:
        postcode = f"{district} {rng.randint(1, 9)}{rng.choice(units)}{rng.choice(units)}"
        for index, number in enumerate(rng.sample(range(1, 90), secure + leasehold)):
            line_1, line_2 = (f"Flat {number}, {block}", street) if block else (f"{number} {street}", "")
            if index < secure:
                size = rng.choices(sizes, weights=weights)[0]
                start = casework_demo._date_between(rng, datetime.date(1996, 1, 1), datetime.date(2023, 6, 30))
                rent = casework_demo._rent(rng, 85, 135)
                service = money(rng.uniform(3.5, 12)) if block else ZERO
                tenure = SECURE
            else:
                size = rng.choice([1, 1, 2])
                start = casework_demo._date_between(rng, datetime.date(2002, 1, 1), datetime.date(2021, 12, 31))
                rent, service, tenure = ZERO, money(rng.uniform(1100, 2400) / 52), LEASEHOLD
            people = casework_demo._plan_household(rng, size, used, phones)
            homes.append(HomePlan(line_1, line_2, postcode, people, tenure, start, rent, service))
    for tenure, stories in ((SECURE, RENT_STORIES), (LEASEHOLD, LEASEHOLD_STORIES)):
        group = [home for home in homes if home.tenure == tenure]
        rng.shuffle(group)
        for home, story in zip(group, [story for story, _action, n in stories for _ in range(n)], strict=False):
            home.story = story
    for home in homes:
        home.seed = rng.getrandbits(32)
    return homes, rng.getrandbits(32)


# --- one account's history -------------------------------------------------------------------


def _seed_officers(ctx: DemoContext) -> dict[int, User]:
    """Each North patch's officer (kept as it is once set: a supervisor may have changed it)."""
    officers: dict[int, User] = {}
    for patch in Patch.objects.filter(code__in=OFFICERS):
        current = PatchOfficer.objects.filter(patch=patch).select_related("officer").first()
        if current is None:
            user = User.objects.filter(email=OFFICERS[patch.code]).first()
            if user is None:
                continue
            current = PatchOfficer(patch=patch, officer=user)
            current.stamp(None)
            current.save()
            ctx.created("arrears patch officer")
        officers[patch.pk] = current.officer
    return officers


def _ensure_home(ctx: DemoContext, home: HomePlan) -> Tenancy:
    prop = Property.objects.filter(
        postcode=home.postcode, address_line_1=home.line_1, address_line_2=home.line_2
    ).first()
    if prop is None:
        prop = casework_services.property_create(
            actor=None,
            address_line_1=home.line_1,
            address_line_2=home.line_2,
            town=casework_demo.TOWN,
            postcode=home.postcode,
        )
        ctx.created("property")
    tenancy = prop.tenancies.filter(status__in=Tenancy.LIVE_STATUSES).first()
    if tenancy is not None:
        return tenancy
    contacts = [casework_demo._ensure_contact(ctx, person) for person in home.people]
    household = Household.objects.filter(members__contact=contacts[0], members__is_head=True).first()
    if household is None:
        household = casework_services.household_create(
            actor=None,
            name=f"{contacts[0].full_name} household",
            members=[(contact, person.relationship) for contact, person in zip(contacts, home.people, strict=True)],
        )
        ctx.created("household")
    tenancy = casework_services.tenancy_create(
        actor=None,
        property=prop,
        household=household,
        tenure_type=home.tenure,
        start_date=home.start,
        weekly_rent=home.rent,
    )
    ctx.created("tenancy")
    return tenancy


def _record(account: RentAccount, script: Script, *, actor: User, letter: Template | None) -> None:
    """The story's legal events, through the services (each re-classifies the account)."""
    court_case = None
    if script.nosp is not None:
        legal.nosp_record(actor=actor, account=account, served_on=script.nosp)
    if script.court is not None:
        court_case = legal.court_case_record(actor=actor, account=account, court_date=script.court)
        if script.outcome is not None:
            code, terms = script.outcome
            court_case = legal.court_outcome_record(
                actor=actor,
                court_case=court_case,
                outcome_code=code,
                terms=terms,
                balance_on_outcome_date=script.balance_on(timezone.localdate(script.court)),
            )
    if script.arrangement is not None:
        kind, frequency, instalment, start, notes = script.arrangement
        legal.arrangement_create(
            actor=actor,
            account=account,
            kind=kind,
            frequency=frequency,
            instalment_amount=instalment,
            start_date=start,
            court_case=court_case if kind == "formal" else None,
            notes=notes,
        )
    if script.eviction is not None:
        legal.eviction_record(actor=actor, account=account, date=script.eviction)
    if script.failed_letter and letter is not None:
        refusal = errors.ValidationError(
            fields={"recipient.address": ["Letter rejected by the provider (validation-failed): not a UK postcode."]}
        )
        communications.message_record_refused(
            actor=actor,
            key=f"arrears-demo-{account.reference}-letter-one",
            template=letter,
            regarding=account,
            batch=None,
            refusal=refusal,
        )
    if script.pause is not None:
        label, until, comment = script.pause
        reason = PauseReason.objects.get(label=label)
        diary_services.account_pause(actor=actor, account=account, until=until, reason=reason, comment=comment)


@dataclass(frozen=True)
class Planned:
    tenancy: Tenancy
    kind: str
    story: Story | None
    seed: int
    service_charge: Decimal = ZERO


def seed(ctx: DemoContext) -> None:
    homes, ledger_seed = build_plan(ctx.rng)
    officers = _seed_officers(ctx)
    planned = [
        Planned(
            _ensure_home(ctx, home),
            AccountKind.SERVICE_CHARGE if home.tenure == LEASEHOLD else AccountKind.RENT,
            home.story,
            home.seed,
            home.service_charge,
        )
        for home in homes
    ]
    # The casework demo's secure tenants pay their rent, each account from a seed of its own.
    others = (
        Tenancy.objects.filter(status__in=Tenancy.LIVE_STATUSES, tenure_type=SECURE, property__town=casework_demo.TOWN)
        .exclude(pk__in=[p.tenancy.pk for p in planned])
        .select_related("property")
        .order_by("reference")
    )
    planned += [
        Planned(tenancy, AccountKind.RENT, None, random.Random(f"{ledger_seed}:{tenancy.reference}").getrandbits(32))
        for tenancy in others
    ]
    have = set(RentAccount.objects.filter(tenancy__in=[p.tenancy for p in planned]).values_list("tenancy_id", "kind"))
    new = [p for p in planned if (p.tenancy.pk, p.kind) not in have]
    if new:
        _open_accounts(ctx, new, officers, now=timezone.now())
    # Automation stays off: the demo sends nothing.
    accounts_classify(automate=False)


def _open_accounts(ctx: DemoContext, new: list[Planned], officers: dict[int, User], *, now) -> None:
    """The accounts with their ledgers and diaries (as a housing system's export loads them),
    then their notices, hearings, arrangements, evictions, pauses and failed letter."""
    accounts = RentAccount.objects.bulk_create(
        RentAccount(
            reference=("SC" if p.kind == AccountKind.SERVICE_CHARGE else "RA") + p.tenancy.reference.rsplit("-", 1)[-1],
            kind=p.kind,
            tenancy=p.tenancy,
            patch_id=p.tenancy.property.patch_id,
            weekly_rent=ZERO if p.kind == AccountKind.SERVICE_CHARGE else p.tenancy.weekly_rent,
            weekly_service_charge=p.service_charge,
        )
        for p in new
    )
    scripts, transactions, entries = [], [], []
    for account, p in zip(accounts, new, strict=True):
        script = script_for(
            p.story,
            p.seed,
            rent=account.weekly_rent,
            service=account.weekly_service_charge,
            since=p.tenancy.start_date,
            now=now,
        )
        scripts.append(script)
        transactions += [
            Transaction(
                account=account,
                type_id=code,
                posted_on=posted_on,
                amount=amount,
                description="Balance brought forward" if code == "BFW" else "",
                external_id=f"DEMO-{number:05d}",
                created_at=now,
            )
            for number, (posted_on, code, amount) in enumerate(script.postings(), start=1)
        ]
        entries += [
            ActionDiaryEntry(
                account=account,
                code_id=code,
                occurred_at=at,
                comment=comment,
                source=DiarySource.IMPORT,
                created_at=now,
            )
            for at, code, comment in sorted(script.diary)
        ]
    Transaction.objects.bulk_create(transactions, batch_size=5000)
    ActionDiaryEntry.objects.bulk_create(entries)
    letter = Template.objects.filter(key="arrears-letter-one").first()
    fallback = User.objects.filter(email=FALLBACK_ACTOR).first()
    for account, script in zip(accounts, scripts, strict=True):
        actor = officers.get(account.patch_id) if account.patch_id else None
        actor = actor or fallback
        if actor is not None:
            _record(account, script, actor=actor, letter=letter)
    rent = sum(1 for account in accounts if account.kind == AccountKind.RENT)
    ctx.created("rent account", rent)
    if len(accounts) > rent:
        ctx.created("service-charge account", len(accounts) - rent)
    ctx.created("arrears transaction", len(transactions))
    ctx.created("action diary entry", ActionDiaryEntry.objects.filter(account__in=accounts).count())
