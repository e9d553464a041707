"""Demo people and places for a fictional council, Kingsford: two regions, six patches, about
forty properties, households and their tenancies, and a few letting agents.

Everything is synthetic. Postcodes use the "DB" area, which no real UK postcode has; phone
numbers are from Ofcom's drama range (07700 900xxx); emails are at example.com; national ids use
the "QQ" prefix of HMRC's specimen NI numbers. The whole plan is drawn from ctx.rng before
anything is written, so it is the same on every run, and each row is looked up by its natural key
first: a second run creates nothing.

Patches come from the region lookup (one PostcodeArea per postcode district); one property, in
the DB5 district the lookup does not cover, stays unresolved for the "verify region" worklist.
Two households tell the benefits-key story against the fake member directory (DEMO_MEMBERS):
Frank Ellison's key links; Grace Mensah's is refused because the national ids differ.
"""

from __future__ import annotations

import datetime
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from casework import demo_cases, services
from casework.external import ExternalMember
from casework.models import (
    CaseType,
    Contact,
    Document,
    DocumentRequirement,
    Household,
    HouseholdMember,
    Organisation,
    Patch,
    PostcodeArea,
    Property,
    Region,
    Tenancy,
)
from casework.services import regions as region_services
from core.seeding import DemoContext

TOWN = "Kingsford"
# The day the demo's story is told from: recent tenancies and notices are relative to it.
STORY_DATE = datetime.date(2026, 11, 2)

REGIONS = [
    ("N", "North Kingsford", "Kingsford Borough Council Housing Services"),
    ("S", "South Kingsford", "Riverside Homes Housing Association"),
]

# region, patch code, patch name, postcode district, streets
PATCHES = [
    ("N", "N01", "Millbrook", "DB1", ["Mill Lane", "Brookside Road", "Weaver Close"]),
    ("N", "N02", "Castle Hill", "DB2", ["Castle Street", "Keep Row", "Rampart Way"]),
    ("N", "N03", "Northgate", "DB3", ["Northgate", "Chapel Walk", "Foundry Court"]),
    ("S", "S01", "Riverside", "DB7", ["Wharf Road", "Ferry Lane", "Towpath Mews"]),
    ("S", "S02", "St Anne's", "DB8", ["St Anne's Road", "Vicarage Close", "Orchard Grove"]),
    ("S", "S03", "Southfields", "DB9", ["Southfield Avenue", "Meadow Way", "Larch Drive"]),
]
PROPERTIES_PER_PATCH = [7, 7, 6, 7, 7, 6]  # 40
# A property in a district the region lookup does not cover: its patch is unresolved.
UNRESOLVED_PROPERTY = ("2 Quarry Row", "DB5 3QT")

# Heads of the first few planned households have a national id (the rest: not yet collected).
NATIONAL_IDS = ["QQ100001A", "QQ100002B", "QQ100003C", "QQ100004D", "QQ100005A"]

# The benefits-key story: (first, last, born, national id here, relationship) per household.
KEY_STORY_HOUSEHOLDS = [
    [
        ("Frank", "Ellison", datetime.date(1977, 1, 22), "QQ567891C", HouseholdMember.Relationship.HEAD),
        ("Dana", "Ellison", datetime.date(1979, 5, 3), "", HouseholdMember.Relationship.PARTNER),
    ],
    [("Grace", "Mensah", datetime.date(1984, 8, 30), "QQ246810B", HouseholdMember.Relationship.HEAD)],
]
# What the benefits system holds (casework.external.FakeMemberDirectory, via CASEWORK_FAKE_MEMBERS).
DEMO_MEMBERS = [
    # Frank Ellison, head of household, same national id: linking key 12345 succeeds.
    ExternalMember("benefits", "12345", "H", "QQ 56 78 91 C", "Frank", "Ellison", datetime.date(1977, 1, 22)),
    # His partner: not the head of household, so her key is never linked to a contact.
    ExternalMember("benefits", "12345-2", "S", "QQ135792A", "Dana", "Ellison", datetime.date(1979, 5, 3)),
    # Grace Mensah, head of household, but a different national id: linking key 67890 is refused.
    ExternalMember("benefits", "67890", "H", "QQ246810D", "Grace", "Mensah", datetime.date(1984, 8, 30)),
]
BLOCKS = {"Weaver Close": "Weaver House", "Foundry Court": "Foundry House", "Towpath Mews": "Lock Keeper's House"}

ORGANISATIONS = [
    ("Kingsford Lettings Ltd", Organisation.Kind.PROPERTY_MANAGER, "lettings@kingsford-lettings.example.com"),
    ("Harbour Residential Lettings", Organisation.Kind.PROPERTY_MANAGER, "info@harbour-residential.example.com"),
    ("Greyfriars Property Holdings Ltd", Organisation.Kind.LANDLORD_BUSINESS, "accounts@greyfriars.example.com"),
    ("Kingsford Water", Organisation.Kind.UTILITY, "customer.services@kingsford-water.example.com"),
]
LETTING_ORGANISATIONS = ORGANISATIONS[:3]

# Private landlords who are people, not companies (the first matches the demo landlord login).
LANDLORDS = [("Lewis", "Grant", datetime.date(1968, 3, 14)), ("Margaret", "Okonkwo", datetime.date(1959, 9, 2))]


# The documents each rental programme asks every applicant for when they submit (casework's
# DocumentRequirement): case type code, [(category, what the applicant reads)].
DOCUMENT_REQUIREMENTS = [
    (
        "raft-tenant",
        [
            (Document.Category.IDENTITY, "Proof of identity for the head of household, such as a passport"),
            (Document.Category.TENANCY, "Your tenancy agreement or lease"),
            (Document.Category.INCOME, "Proof of your household's income, such as last month's payslips"),
        ],
    ),
    (
        "raft-landlord",
        [
            (Document.Category.OWNERSHIP, "Proof that you own the property, such as a deed or mortgage statement"),
            (Document.Category.TAX, "A tax or payee verification form for the payee"),
        ],
    ),
]


def _words(text: str) -> list[str]:
    return text.split()


# language: (weight, first names, surnames)
NAMES: dict[str, tuple[int, list[str], list[str]]] = {
    "en": (
        22,
        _words(
            "Jack Amelia Oliver Sophie Liam Chloe Dylan Megan Kieran Jade Connor Leanne Tom Hannah Gary "
            "Donna Ryan Kelly Paul Tracy Ellie Mason Ruby Alfie"
        ),
        _words(
            "Reilly Thompson Walker Hughes Roberts Clarke Turner Green Wood Harris Bennett Price Ward "
            "Lawson Fletcher Marsh Doyle Kelly Baxter Shaw"
        ),
    ),
    "cy": (
        3,
        _words("Dafydd Ffion Rhiannon Gethin Cerys Owain Catrin Iwan"),
        _words("Pritchard Llewellyn Vaughan Bowen Powell"),
    ),
    "pl": (
        4,
        _words("Piotr Agnieszka Tomasz Katarzyna Marek Zofia Kacper Ewa"),
        _words("Nowak Kowalczyk Mazur Krawczyk Zieliński"),
    ),
    "ro": (
        2,
        _words("Andrei Elena Mihai Ioana Florin Daniela"),
        _words("Popescu Ionescu Dumitru Stan"),
    ),
    "ar": (
        2,
        _words("Omar Layla Yusuf Noor Karim Rania"),
        _words("Al-Masri Khalil Saleh Nasser"),
    ),
    "ur": (
        2,
        _words("Imran Ayesha Bilal Sana Tariq Nadia"),
        _words("Khan Hussain Iqbal Malik"),
    ),
    "so": (
        2,
        _words("Hodan Abdirahman Fadumo Mahad Ubah Liban"),
        _words("Warsame Farah Abdullahi Jama"),
    ),
    "bn": (
        2,
        _words("Rahim Nasrin Jamal Shirin Anwar Rumana"),
        _words("Rahman Uddin Chowdhury Miah"),
    ),
    "pa": (
        1,
        _words("Harpreet Gurpreet Manjit Jaspreet Kulwant"),
        _words("Sandhu Gill Dhillon Bains"),
    ),
    "zh": (
        1,
        _words("Wei Mei Jun Xiu Lin"),
        _words("Chen Wang Zhang Liu"),
    ),
    "pt": (
        1,
        _words("João Ana Tiago Beatriz Rui"),
        _words("Silva Santos Ferreira Costa"),
    ),
}
# How many people live in a household: (members, weight).
HOUSEHOLD_SIZES = [(1, 25), (2, 25), (3, 20), (4, 18), (5, 12)]

ACTIVE_TENANCIES = 35
POSTCODE_UNITS = "ABDEFGHJLNPQRSTUWXYZ"  # letters used in inward codes


# --- the plan --------------------------------------------------------------------------------


@dataclass
class PersonPlan:
    first_name: str
    last_name: str
    date_of_birth: datetime.date
    language: str
    relationship: str
    phone: str = ""
    email: str = ""
    national_id: str = ""


@dataclass
class PropertyPlan:
    patch_code: str
    address_line_1: str
    address_line_2: str
    postcode: str
    landlord_organisation: str | None = None
    landlord_contact: int | None = None  # index into LANDLORDS


@dataclass
class TenancyPlan:
    property_index: int
    household_index: int
    tenure_type: str
    start_date: datetime.date
    weekly_rent: Decimal
    status: str = Tenancy.Status.ACTIVE
    end_date: datetime.date | None = None


@dataclass
class Plan:
    properties: list[PropertyPlan] = field(default_factory=list)
    households: list[list[PersonPlan]] = field(default_factory=list)
    tenancies: list[TenancyPlan] = field(default_factory=list)


def _date_between(rng, start: datetime.date, end: datetime.date) -> datetime.date:
    return start + datetime.timedelta(days=rng.randint(0, (end - start).days))


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if c.isascii() and c.isalnum()).lower()


def _plan_properties(rng) -> list[PropertyPlan]:
    properties: list[PropertyPlan] = []
    for (_, patch_code, _, district, streets), count in zip(PATCHES, PROPERTIES_PER_PATCH, strict=True):
        postcodes = {
            street: f"{district} {rng.randint(1, 9)}{rng.choice(POSTCODE_UNITS)}{rng.choice(POSTCODE_UNITS)}"
            for street in streets
        }
        numbers: dict[str, set[int]] = {street: set() for street in streets}
        for _ in range(count):
            street = rng.choice(streets)
            number = rng.randint(1, 60)
            while number in numbers[street]:
                number += 1
            numbers[street].add(number)
            if street in BLOCKS:
                line_1, line_2 = f"Flat {number}, {BLOCKS[street]}", street
            else:
                line_1, line_2 = f"{number} {street}", ""
            properties.append(PropertyPlan(patch_code, line_1, line_2, postcodes[street]))
    return properties


def _plan_household(rng, size: int, used: set[tuple[str, str]], phones: list[int]) -> list[PersonPlan]:
    languages = list(NAMES)
    language = rng.choices(languages, weights=[NAMES[lang][0] for lang in languages])[0]
    _, first_names, surnames = NAMES[language]

    def person(relationship: str, surname: str, born: datetime.date, adult: bool) -> PersonPlan:
        first = rng.choice(first_names)
        while (first, surname) in used:
            first = rng.choice(first_names + NAMES["en"][1])
        used.add((first, surname))
        plan = PersonPlan(first, surname, born, language if adult else "en", relationship)
        if adult:
            phones[0] += 1
            plan.phone = f"07700 {phones[0]:06d}"
            if rng.random() < 0.7:
                plan.email = f"{_ascii(first)}.{_ascii(surname)}@example.com"
        return plan

    surname = rng.choice(surnames)
    head_born = _date_between(rng, datetime.date(1956, 1, 1), datetime.date(2000, 12, 31))
    members = [person(HouseholdMember.Relationship.HEAD, surname, head_born, adult=True)]
    if size >= 2:
        roll = rng.random()
        if roll < 0.7:
            partner_surname = surname if rng.random() < 0.7 else rng.choice(surnames)
            born = head_born + datetime.timedelta(days=rng.randint(-6 * 365, 6 * 365))
            members.append(person(HouseholdMember.Relationship.PARTNER, partner_surname, born, adult=True))
        elif roll < 0.8:
            born = head_born - datetime.timedelta(days=rng.randint(22 * 365, 35 * 365))
            members.append(person(HouseholdMember.Relationship.PARENT, surname, born, adult=True))
    earliest_child = max(datetime.date(head_born.year + 18, 1, 1), datetime.date(2004, 1, 1))
    while len(members) < size:
        born = _date_between(rng, earliest_child, datetime.date(2023, 12, 31))
        members.append(person(HouseholdMember.Relationship.CHILD, surname, born, adult=False))
    return members


def _rent(rng, low: int, high: int) -> Decimal:
    return Decimal(f"{rng.uniform(low, high):.2f}")


def build_plan(rng) -> Plan:
    """The whole demo dataset as plain data, drawn from `rng` only (no database reads)."""
    plan = Plan(properties=_plan_properties(rng))
    rng.shuffle(plan.properties)
    used: set[tuple[str, str]] = set()
    phones = [900100]
    sizes, weights = zip(*HOUSEHOLD_SIZES, strict=True)
    plan.households = [
        _plan_household(rng, rng.choices(sizes, weights=weights)[0], used, phones) for _ in plan.properties
    ]
    region_of = {patch_code: region for region, patch_code, *_ in PATCHES}

    # Households 0-34 hold active tenancies of properties 0-34; 35 has given notice on 35;
    # 36-39 are former tenants of properties 0-3; properties 36-39 are empty (void).
    # Six privately rented homes: four let through an agent or company, two by a private landlord.
    private = sorted(rng.sample(range(ACTIVE_TENANCIES + 1), 6))
    for position, index in enumerate(private):
        if position < 4:
            plan.properties[index].landlord_organisation = LETTING_ORGANISATIONS[position % 3][0]
        else:
            plan.properties[index].landlord_contact = position - 4
    for index in range(ACTIVE_TENANCIES + 1):
        prop = plan.properties[index]
        start = _date_between(rng, datetime.date(2019, 1, 1), STORY_DATE - datetime.timedelta(days=30))
        if index in private:
            tenure, rent = Tenancy.TenureType.PRIVATE_RENTED, _rent(rng, 140, 190)
        elif region_of[prop.patch_code] == "N":
            recent = start > STORY_DATE - datetime.timedelta(days=365)
            tenure = Tenancy.TenureType.INTRODUCTORY if recent else Tenancy.TenureType.SECURE
            rent = _rent(rng, 85, 135)
        else:
            recent = start > STORY_DATE - datetime.timedelta(days=365)
            tenure = Tenancy.TenureType.STARTER if recent else Tenancy.TenureType.ASSURED
            rent = _rent(rng, 95, 160)
        plan.tenancies.append(TenancyPlan(index, index, tenure, start, rent))
    notice = plan.tenancies[ACTIVE_TENANCIES]
    notice.status = Tenancy.Status.PENDING_CANCELLATION
    notice.end_date = STORY_DATE + datetime.timedelta(weeks=4)

    for former, property_index in enumerate(range(4), start=ACTIVE_TENANCIES + 1):
        start = _date_between(rng, datetime.date(2009, 1, 1), datetime.date(2014, 12, 31))
        end = _date_between(rng, datetime.date(2016, 1, 1), datetime.date(2018, 12, 31))
        tenure = plan.tenancies[property_index].tenure_type
        if tenure in (Tenancy.TenureType.INTRODUCTORY, Tenancy.TenureType.STARTER):
            tenure = (
                Tenancy.TenureType.SECURE if tenure == Tenancy.TenureType.INTRODUCTORY else Tenancy.TenureType.ASSURED
            )
        plan.tenancies.append(
            TenancyPlan(property_index, former, tenure, start, _rent(rng, 85, 120), Tenancy.Status.ENDED, end)
        )
    for household, national_id in zip(plan.households, NATIONAL_IDS, strict=False):
        household[0].national_id = national_id
    return plan


# --- writing it ------------------------------------------------------------------------------


def _ensure_contact(ctx: DemoContext, person: PersonPlan) -> Contact:
    contact = Contact.objects.filter(
        first_name=person.first_name, last_name=person.last_name, date_of_birth=person.date_of_birth
    ).first()
    if contact is None:
        contact = services.contact_create(
            actor=None,
            first_name=person.first_name,
            last_name=person.last_name,
            date_of_birth=person.date_of_birth,
            phone=person.phone,
            email=person.email,
            preferred_language=person.language,
            national_id=person.national_id,
        )
        ctx.created("contact")
    return contact


def _seed_areas(ctx: DemoContext) -> dict[str, Patch]:
    regions = {}
    for code, name, agency in REGIONS:
        region = Region.objects.filter(code=code).first()
        if region is None:
            region = services.region_create(actor=None, code=code, name=name, administering_agency=agency)
            ctx.created("region")
        regions[code] = region
    patches = {}
    for region_code, code, name, _, _ in PATCHES:
        patch = Patch.objects.filter(code=code).first()
        if patch is None:
            patch = services.patch_create(actor=None, region=regions[region_code], code=code, name=name)
            ctx.created("patch")
        patches[code] = patch
    return patches


def _seed_postcode_lookup(ctx: DemoContext) -> None:
    """One row per postcode district; DB5 (UNRESOLVED_PROPERTY's) is deliberately missing."""
    rows = [
        (line, [district, code])
        for line, (_, code, _, district, _) in enumerate(PATCHES, start=1)
        if not PostcodeArea.objects.filter(prefix=district).exists()
    ]
    if rows:
        result = region_services.postcode_areas_import(actor=None, rows=rows)
        ctx.created("postcode area", result.created)


def _seed_key_story(ctx: DemoContext) -> None:
    for people in KEY_STORY_HOUSEHOLDS:
        contacts = [
            _ensure_contact(ctx, PersonPlan(first, last, born, "en", relationship, national_id=national_id))
            for first, last, born, national_id, relationship in people
        ]
        if not Household.objects.filter(members__contact=contacts[0], members__is_head=True).exists():
            services.household_create(
                actor=None,
                name=f"{contacts[0].full_name} household",
                members=[(contact, person[4]) for contact, person in zip(contacts, people, strict=True)],
            )
            ctx.created("household")


def _seed_landlords(ctx: DemoContext) -> tuple[dict[str, Organisation], list[Contact]]:
    organisations = {}
    for name, kind, email in ORGANISATIONS:
        organisation = Organisation.objects.filter(name=name).first()
        if organisation is None:
            organisation = services.organisation_create(actor=None, name=name, kind=kind, email=email)
            ctx.created("organisation")
        organisations[name] = organisation
    people = [
        _ensure_contact(
            ctx, PersonPlan(first, last, born, "en", "landlord", email=f"{_ascii(first)}.{_ascii(last)}@example.com")
        )
        for first, last, born in LANDLORDS
    ]
    return organisations, people


def seed(ctx: DemoContext) -> None:
    plan = build_plan(ctx.rng)
    _seed_areas(ctx)
    _seed_postcode_lookup(ctx)
    organisations, landlords = _seed_landlords(ctx)

    properties = []
    for item in plan.properties:
        prop = Property.objects.filter(
            postcode=item.postcode, address_line_1=item.address_line_1, address_line_2=item.address_line_2
        ).first()
        if prop is None:
            prop = services.property_create(
                actor=None,
                address_line_1=item.address_line_1,
                address_line_2=item.address_line_2,
                town=TOWN,
                postcode=item.postcode,
                landlord_organisation=organisations[item.landlord_organisation] if item.landlord_organisation else None,
                landlord_contact=landlords[item.landlord_contact] if item.landlord_contact is not None else None,
            )
            ctx.created("property")
        properties.append(prop)
    line_1, postcode = UNRESOLVED_PROPERTY
    if not Property.objects.filter(postcode=postcode, address_line_1=line_1).exists():
        services.property_create(actor=None, address_line_1=line_1, town=TOWN, postcode=postcode)
        ctx.created("property")

    households = []
    for people in plan.households:
        contacts = [_ensure_contact(ctx, person) for person in people]
        head = contacts[0]
        household = Household.objects.filter(members__contact=head, members__is_head=True).first()
        if household is None:
            household = services.household_create(
                actor=None,
                name=f"{head.full_name} household",
                members=[(contact, person.relationship) for contact, person in zip(contacts, people, strict=True)],
            )
            ctx.created("household")
        households.append(household)
    _seed_key_story(ctx)

    # Ended tenancies first, so a property's history is recorded in the order it happened.
    for item in sorted(plan.tenancies, key=lambda t: t.start_date):
        prop, household = properties[item.property_index], households[item.household_index]
        if Tenancy.objects.filter(property=prop, household=household, start_date=item.start_date).exists():
            continue
        services.tenancy_create(
            actor=None,
            property=prop,
            household=household,
            tenure_type=item.tenure_type,
            start_date=item.start_date,
            end_date=item.end_date,
            status=item.status,
            weekly_rent=item.weekly_rent,
        )
        ctx.created("tenancy")

    demo_cases.seed(ctx)
    _seed_document_requirements(ctx)


def _seed_document_requirements(ctx: DemoContext) -> None:
    """The rental programmes' required documents (configuration a supervisor keeps in the admin).
    Applications submitted from now on are asked for them; portal.demo asks those already past
    draft."""
    for code, requirements in DOCUMENT_REQUIREMENTS:
        case_type = CaseType.objects.filter(code=code).first()
        if case_type is None:
            continue
        for category, description in requirements:
            if DocumentRequirement.objects.filter(case_type=case_type, category=category).exists():
                continue
            requirement = DocumentRequirement(case_type=case_type, category=category, description=description)
            requirement.stamp(None)
            requirement.save()
            ctx.created("document requirement")
