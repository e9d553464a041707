"""Writes to people and places: each is one transaction, refuses bad input with field messages
before writing anything, is for staff only, and is audited with the actor."""

import datetime
from decimal import Decimal

import pytest
from django.db import transaction
from pghistory.models import Events

from casework import services
from casework.models import (
    Contact,
    Household,
    HouseholdMember,
    Organisation,
    Patch,
    PostcodeArea,
    Property,
    Region,
    Tenancy,
)
from casework.services import common
from core import errors
from core.audit import events_for
from tests.casework.factories import (
    ContactFactory,
    HouseholdFactory,
    PatchFactory,
    PropertyFactory,
    RegionFactory,
    TenancyFactory,
)

pytestmark = pytest.mark.django_db

HEAD = HouseholdMember.Relationship.HEAD
PARTNER = HouseholdMember.Relationship.PARTNER
CHILD = HouseholdMember.Relationship.CHILD


def _number(reference: str) -> int:
    return int(reference.rsplit("-", 1)[1])


def _tenancy_args(**overrides):
    args = {
        "property": PropertyFactory(),
        "household": HouseholdFactory(),
        "tenure_type": Tenancy.TenureType.SECURE,
        "start_date": datetime.date(2025, 4, 7),
        "weekly_rent": Decimal("104.20"),
    }
    return {**args, **overrides}


# --- contacts and references -----------------------------------------------------------------


def test_contact_create_issues_sequential_unique_references(caseworker):
    contacts = [services.contact_create(actor=caseworker, last_name=f"Reilly{i}") for i in range(3)]
    numbers = [_number(c.reference) for c in contacts]
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    assert len({c.reference for c in contacts}) == 3
    assert all(c.reference.startswith("CON-") for c in contacts)


def test_a_refused_contact_does_not_use_up_a_reference(caseworker):
    first = services.contact_create(actor=caseworker, last_name="Reilly")
    with pytest.raises(errors.ValidationError):
        services.contact_create(actor=caseworker, last_name="Reilly", email="not-an-email")
    with pytest.raises(RuntimeError), transaction.atomic():
        services.contact_create(actor=caseworker, last_name="Rolled back")
        raise RuntimeError
    following = services.contact_create(actor=caseworker, last_name="Reilly")
    assert _number(following.reference) == _number(first.reference) + 1


def test_contact_create_stores_cleaned_values_and_stamps_the_actor(caseworker):
    contact = services.contact_create(
        actor=caseworker,
        first_name="  Tara ",
        last_name=" Reilly",
        date_of_birth=datetime.date(1990, 2, 3),
        phone="07700 900123",
        email="tara.reilly@example.com ",
        preferred_language="pl",
    )
    contact.refresh_from_db()
    assert (contact.first_name, contact.last_name, contact.email) == ("Tara", "Reilly", "tara.reilly@example.com")
    assert contact.preferred_language == "pl"
    assert contact.created_by == caseworker
    assert contact.updated_by == caseworker


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"last_name": "  "}, "last_name"),
        ({"email": "tara@"}, "email"),
        ({"phone": "call me maybe"}, "phone"),
        ({"preferred_language": "klingon"}, "preferred_language"),
        ({"date_of_birth": datetime.date.today() + datetime.timedelta(days=1)}, "date_of_birth"),
    ],
)
def test_contact_create_refuses_bad_input_with_a_field_message(caseworker, fields, field):
    with pytest.raises(errors.ValidationError) as raised:
        services.contact_create(actor=caseworker, **{"last_name": "Reilly", **fields})
    assert raised.value.fields[field]
    assert not Contact.objects.exists()


# --- households ------------------------------------------------------------------------------


def test_household_create_records_members_with_exactly_one_head(caseworker):
    tara, sam, kid = ContactFactory.create_batch(3)
    household = services.household_create(
        actor=caseworker, name="Reilly household", members=[(tara, HEAD), (sam, PARTNER), (kid, CHILD)]
    )
    assert household.reference.startswith("HH-")
    members = {m.contact_id: m for m in household.members.all()}
    assert members[tara.pk].is_head
    assert not members[sam.pk].is_head
    assert not members[kid.pk].is_head
    assert members[kid.pk].created_by == caseworker


@pytest.mark.parametrize(
    ("relationships", "message"),
    [
        ([PARTNER, CHILD], "exactly one head of household; 0 given"),
        ([HEAD, HEAD], "exactly one head of household; 2 given"),
        ([], "at least one member"),
        ([HEAD, "cousin"], "'cousin' is not a relationship"),
    ],
    ids=["no-head", "two-heads", "nobody", "unknown-relationship"],
)
def test_household_create_refuses_members_without_one_head_and_writes_nothing(caseworker, relationships, message):
    contacts = ContactFactory.create_batch(len(relationships))
    with pytest.raises(errors.ValidationError) as raised:
        services.household_create(
            actor=caseworker, name="Reilly household", members=list(zip(contacts, relationships, strict=True))
        )
    assert any(message in text for text in raised.value.fields["members"])
    assert not Household.objects.exists()
    assert not HouseholdMember.objects.exists()


def test_household_create_refuses_a_contact_listed_twice_and_a_blank_name(caseworker):
    tara = ContactFactory()
    with pytest.raises(errors.ValidationError) as raised:
        services.household_create(actor=caseworker, name=" ", members=[(tara, HEAD), (tara, PARTNER)])
    assert raised.value.fields["name"] == ["Enter a name for the household."]
    assert any("listed more than once" in text for text in raised.value.fields["members"])
    assert not Household.objects.exists()


def test_household_create_refuses_an_inactive_contact(caseworker):
    gone = ContactFactory(is_active=False)
    with pytest.raises(errors.ValidationError) as raised:
        services.household_create(actor=caseworker, name="Gone household", members=[(gone, HEAD)])
    assert any("not an active contact" in text for text in raised.value.fields["members"])


# --- properties and postcodes ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("sw1a1aa", "SW1A 1AA"),
        ("  ec1a   1bb ", "EC1A 1BB"),
        ("M1 1AE", "M1 1AE"),
        ("b338th", "B33 8TH"),
        ("cr2 6xh", "CR2 6XH"),
        ("DN55 1PT", "DN55 1PT"),
        ("w1a 0ax", "W1A 0AX"),
        ("gir 0aa", "GIR 0AA"),
        ("02139", "02139"),
        ("021394307", "02139-4307"),
        ("02139-4307", "02139-4307"),
    ],
)
def test_postcode_normalise(given, stored):
    assert services.postcode_normalise(given) == stored


@pytest.mark.parametrize("given", ["", "SW1A", "SW1A 1A", "1AA SW1", "12345-67", "1234", "Q1A 1AA1", "ABC 123"])
def test_postcode_normalise_refuses_what_is_not_a_postcode(given):
    with pytest.raises(errors.ValidationError) as raised:
        services.postcode_normalise(given)
    assert raised.value.fields["postcode"]


def test_property_create_stores_the_normalised_postcode(caseworker):
    patch = PatchFactory()
    PostcodeArea.objects.create(prefix="DB1", patch=patch)
    prop = services.property_create(
        actor=caseworker, address_line_1="12  Mill Lane ", town="Kingsford", postcode="db1 2ab"
    )
    prop.refresh_from_db()
    assert (prop.address_line_1, prop.postcode, prop.patch) == ("12 Mill Lane", "DB1 2AB", patch)
    assert prop.created_by == caseworker


def test_property_create_refuses_a_bad_postcode_with_a_clear_message(caseworker):
    with pytest.raises(errors.ValidationError) as raised:
        services.property_create(actor=caseworker, address_line_1="12 Mill Lane", town="Kingsford", postcode="DB1")
    (message,) = raised.value.fields["postcode"]
    assert "'DB1' is not a postcode we recognise" in message
    assert "SW1A 1AA" in message
    assert not Property.objects.exists()


def test_property_create_refuses_an_address_already_recorded(caseworker):
    services.property_create(actor=caseworker, address_line_1="12 Mill Lane", town="Kingsford", postcode="DB1 2AB")
    with pytest.raises(errors.ValidationError) as raised:
        services.property_create(actor=caseworker, address_line_1="12 MILL LANE", town="Kingsford", postcode="db12ab")
    assert "already exists" in raised.value.fields["non_field_errors"][0]
    assert Property.objects.count() == 1


def test_a_constraint_race_becomes_the_same_validation_error():
    """Two requests can both pass the check; the loser gets a ValidationError, not a 500."""
    live = TenancyFactory()
    names = {"casework_tenancy_one_live_per_property": ("property", "This property already has a live tenancy.")}
    with pytest.raises(errors.ValidationError) as raised, common.constraint_errors(names):
        TenancyFactory(property=live.property)
    assert raised.value.fields == {"property": ["This property already has a live tenancy."]}
    assert Tenancy.objects.count() == 1


# --- tenancies -------------------------------------------------------------------------------


def test_tenancy_create(caseworker):
    args = _tenancy_args()
    tenancy = services.tenancy_create(actor=caseworker, **args)
    tenancy.refresh_from_db()
    assert tenancy.reference.startswith("TEN-")
    assert tenancy.status == Tenancy.Status.ACTIVE
    assert tenancy.weekly_rent == Decimal("104.20")
    assert tenancy.property == args["property"]
    assert tenancy.created_by == caseworker


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"end_date": datetime.date(2025, 4, 6)}, "end_date"),
        ({"status": Tenancy.Status.ENDED}, "end_date"),
        ({"weekly_rent": Decimal("-0.01")}, "weekly_rent"),
        ({"weekly_rent": "a lot"}, "weekly_rent"),
        ({"tenure_type": "freehold"}, "tenure_type"),
        ({"status": "evicted"}, "status"),
    ],
    ids=["end-before-start", "ended-without-end", "negative-rent", "rent-not-a-number", "tenure", "status"],
)
def test_tenancy_create_refuses_bad_input_and_stores_nothing(caseworker, overrides, field):
    with pytest.raises(errors.ValidationError) as raised:
        services.tenancy_create(actor=caseworker, **_tenancy_args(**overrides))
    assert raised.value.fields[field]
    assert not Tenancy.objects.exists()


def test_tenancy_may_end_on_the_day_it_starts(caseworker):
    day = datetime.date(2025, 4, 7)
    tenancy = services.tenancy_create(
        actor=caseworker, **_tenancy_args(start_date=day, end_date=day, status=Tenancy.Status.ENDED)
    )
    assert tenancy.end_date == day


@pytest.mark.parametrize("existing", ["active", "pending_cancellation"])
@pytest.mark.parametrize("new_status", [Tenancy.Status.ACTIVE, Tenancy.Status.PENDING_CANCELLATION])
def test_a_second_live_tenancy_on_a_property_is_refused(caseworker, existing, new_status):
    live = TenancyFactory(**{existing: True} if existing != "active" else {})
    end_date = datetime.date(2027, 1, 1) if new_status != Tenancy.Status.ACTIVE else None
    with pytest.raises(errors.ValidationError) as raised:
        services.tenancy_create(
            actor=caseworker, **_tenancy_args(property=live.property, status=new_status, end_date=end_date)
        )
    assert live.reference in raised.value.fields["property"][0]
    assert Tenancy.objects.count() == 1


def test_an_ended_tenancy_can_be_recorded_alongside_the_live_one(caseworker):
    live = TenancyFactory()
    services.tenancy_create(
        actor=caseworker,
        **_tenancy_args(
            property=live.property,
            start_date=datetime.date(2010, 1, 4),
            end_date=datetime.date(2015, 1, 4),
            status=Tenancy.Status.ENDED,
        ),
    )
    assert live.property.tenancies.count() == 2


def test_a_new_tenancy_can_start_once_the_last_one_ended(caseworker):
    ended = TenancyFactory(ended=True)
    tenancy = services.tenancy_create(actor=caseworker, **_tenancy_args(property=ended.property))
    assert tenancy.is_live


# --- reference data --------------------------------------------------------------------------


def test_supervisors_add_regions_and_patches(supervisor):
    region = services.region_create(actor=supervisor, code="n", name="North", administering_agency="Council")
    patch = services.patch_create(actor=supervisor, region=region, code="n01", name="Millbrook")
    assert (region.code, patch.code) == ("N", "N01")
    with pytest.raises(errors.ValidationError) as raised:
        services.patch_create(actor=supervisor, region=region, code="N01", name="Again")
    assert raised.value.fields["code"]
    assert Patch.objects.count() == 1


def test_caseworkers_cannot_add_regions_or_patches(caseworker):
    with pytest.raises(errors.PermissionDenied):
        services.region_create(actor=caseworker, code="N", name="North", administering_agency="Council")
    with pytest.raises(errors.PermissionDenied):
        services.patch_create(actor=caseworker, region=RegionFactory(), code="N01", name="Millbrook")
    assert not Region.objects.exclude(code__startswith="R").exists()


def test_organisation_create(caseworker):
    organisation = services.organisation_create(
        actor=caseworker, name=" Kingsford  Lettings ", kind=Organisation.Kind.PROPERTY_MANAGER, phone="01632 960123"
    )
    assert organisation.name == "Kingsford Lettings"
    with pytest.raises(errors.ValidationError) as raised:
        services.organisation_create(actor=caseworker, name="Acme", kind="cartel")
    assert raised.value.fields["kind"]


# --- who may write ---------------------------------------------------------------------------


SERVICE_CALLS = {
    "contact_create": lambda actor: services.contact_create(actor=actor, last_name="Reilly"),
    "household_create": lambda actor: services.household_create(
        actor=actor, name="Reilly household", members=[(ContactFactory(), HEAD)]
    ),
    "organisation_create": lambda actor: services.organisation_create(
        actor=actor, name="Acme", kind=Organisation.Kind.OTHER
    ),
    "property_create": lambda actor: services.property_create(
        actor=actor, address_line_1="1 Mill Lane", town="Kingsford", postcode="DB1 2AB"
    ),
    "tenancy_create": lambda actor: services.tenancy_create(actor=actor, **_tenancy_args()),
    "region_create": lambda actor: services.region_create(
        actor=actor, code="N", name="North", administering_agency="Council"
    ),
    "patch_create": lambda actor: services.patch_create(
        actor=actor, region=RegionFactory(), code="N01", name="Millbrook"
    ),
}
WRITTEN = {
    "contact_create": Contact,
    "household_create": Household,
    "organisation_create": Organisation,
    "property_create": Property,
    "tenancy_create": Tenancy,
    "region_create": Region,
    "patch_create": Patch,
}


@pytest.mark.parametrize("service", SERVICE_CALLS)
def test_applicants_get_permission_denied_and_nothing_is_written(applicant, service):
    before = WRITTEN[service].objects.count()
    with pytest.raises(errors.PermissionDenied):
        SERVICE_CALLS[service](applicant)
    assert WRITTEN[service].objects.count() == before


@pytest.mark.parametrize("service", SERVICE_CALLS)
def test_the_system_may_call_every_service(db, service):
    assert SERVICE_CALLS[service](None).pk is not None


def test_a_deactivated_staff_account_is_refused(make_staff):
    former = make_staff(email="former@test.example")
    former.is_active = False
    former.save()
    with pytest.raises(errors.PermissionDenied):
        services.contact_create(actor=former, last_name="Reilly")


# --- audit -----------------------------------------------------------------------------------


def test_contact_create_is_audited_with_the_actor(caseworker):
    contact = services.contact_create(actor=caseworker, last_name="Reilly")
    (event,) = events_for(contact)
    assert event.pgh_label == "insert"
    assert event.pgh_context["user"] == caseworker.pk
    assert event.pgh_context["action"] == "contact_create"
    assert event.pgh_data["reference"] == contact.reference


def test_household_create_audits_the_household_and_every_member(caseworker):
    tara, kid = ContactFactory.create_batch(2)
    household = services.household_create(
        actor=caseworker, name="Reilly household", members=[(tara, HEAD), (kid, CHILD)]
    )
    assert events_for(household).get().pgh_context["action"] == "household_create"
    for member in household.members.all():
        event = events_for(member).get()
        assert event.pgh_context["user"] == caseworker.pk
        assert event.pgh_context["action"] == "household_create"


def test_tenancy_create_is_audited_with_the_actor(supervisor):
    tenancy = services.tenancy_create(actor=supervisor, **_tenancy_args())
    event = events_for(tenancy).get()
    assert (event.pgh_context["user"], event.pgh_context["action"]) == (supervisor.pk, "tenancy_create")


def test_a_refused_write_leaves_no_audit_event(caseworker):
    live = TenancyFactory()
    before = Events.objects.filter(pgh_model="casework.TenancyEvent").count()
    with pytest.raises(errors.ValidationError):
        services.tenancy_create(actor=caseworker, **_tenancy_args(property=live.property))
    assert Events.objects.filter(pgh_model="casework.TenancyEvent").count() == before
    assert not Events.objects.filter(pgh_context__action="tenancy_create").exists()
