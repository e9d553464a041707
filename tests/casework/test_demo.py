"""The demo data: realistic, and safe to load twice."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Max, Min, Q

from casework.demo import PATCHES, UNRESOLVED_PROPERTY
from casework.models import (
    Contact,
    ContactExternalKey,
    Household,
    HouseholdMember,
    Organisation,
    Patch,
    PatchSource,
    PostcodeArea,
    Property,
    Region,
    Tenancy,
)
from casework.selectors.people import property_patch_worklist_for
from casework.services import identity, postcode_normalise
from core import errors
from core.models import User

pytestmark = pytest.mark.django_db

MODELS = [Region, Patch, PostcodeArea, Organisation, Contact, Household, HouseholdMember, Property, Tenancy]
DISTRICT_PATCH = {district: code for _, code, _, district, _ in PATCHES}


def _other_demos_homes():
    """Properties off casework's demo streets: other apps' demos add homes of their own (the
    arrears demo's council estates), which the counts below leave out."""
    streets = [street for *_, names in PATCHES for street in names]
    ours = Q(address_line_2__in=streets) | Q(address_line_1=UNRESOLVED_PROPERTY[0])
    for street in streets:
        ours |= Q(address_line_2="", address_line_1__endswith=f" {street}")
    return Property.objects.exclude(ours)


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in MODELS}


def _seed() -> str:
    out = StringIO()
    call_command("seed_demo", stdout=out)
    return out.getvalue()


@pytest.fixture
def seeded(demo_seeded, db):
    return demo_seeded[0]


def test_a_second_run_creates_nothing(seeded):
    assert "contact" in seeded.splitlines()[0]
    first = _counts()
    again = _seed()
    assert "created: nothing new" in again
    assert _counts() == first


def test_the_demo_council_has_regions_patches_and_properties(seeded):
    assert Region.objects.count() == 2
    assert Patch.objects.count() == 6
    assert Property.objects.exclude(pk__in=_other_demos_homes()).count() == 41
    # Patches come from the lookup; one property's district is not in it, for the worklist.
    (unresolved,) = Property.objects.filter(patch__isnull=True)
    assert (unresolved.postcode, unresolved.patch_source) == ("DB5 3QT", PatchSource.UNRESOLVED)
    looked_up = Property.objects.exclude(pk=unresolved.pk)
    assert set(looked_up.values_list("patch_source", flat=True)) == {PatchSource.LOOKUP}
    assert all(p.patch.code == DISTRICT_PATCH[p.postcode.split()[0]] for p in looked_up.select_related("patch"))
    assert all(postcode_normalise(p) == p for p in Property.objects.values_list("postcode", flat=True))


def test_the_demo_households_and_tenancies(seeded):
    others = _other_demos_homes()
    households = Household.objects.exclude(tenancies__property__in=others).annotate(
        size=Count("members"), heads=Count("members", filter=Q(members__is_head=True))
    )
    assert households.count() == 42  # 40 planned, and the two of the benefits-key story
    assert {h.heads for h in households} == {1}
    assert min(h.size for h in households) >= 1
    assert max(h.size for h in households) <= 5
    tenancies = Tenancy.objects.exclude(property__in=others)
    by_status = dict(tenancies.values_list("status").annotate(n=Count("id")))
    assert by_status[Tenancy.Status.ACTIVE] == 35
    assert by_status[Tenancy.Status.PENDING_CANCELLATION] == 1
    assert by_status[Tenancy.Status.ENDED] >= 3
    live = tenancies.filter(status__in=Tenancy.LIVE_STATUSES).aggregate(low=Min("weekly_rent"), high=Max("weekly_rent"))
    assert live["low"] >= 85
    assert live["high"] <= 190


def test_the_demo_has_a_mix_of_languages_and_private_landlords(seeded):
    languages = set(Contact.objects.values_list("preferred_language", flat=True))
    assert "en" in languages
    assert len(languages) >= 6
    private = Property.objects.filter(tenancies__tenure_type=Tenancy.TenureType.PRIVATE_RENTED).distinct()
    assert private.filter(landlord_organisation__isnull=False).exists()
    assert private.filter(landlord_contact__isnull=False).exists()


def test_there_are_cases_of_every_type_on_every_chevron(seeded):
    from casework.models import WORKFLOWS, Case

    seen = set(Case.objects.values_list("workflow", "status"))
    expected = {(workflow, status) for workflow, statuses in WORKFLOWS.items() for status in statuses}
    assert expected <= seen
    # Put there through the services: every case has a timeline, and matched pairs are linked.
    assert not Case.objects.filter(activities__isnull=True).exists()
    chaser_pair = Case.objects.filter(workflow="rental_landlord", status="chaser").get()
    assert chaser_pair.parent.status == "chaser"
    assert set(Case.objects.filter(status="closed").values_list("closure_stage", flat=True)) >= {
        "denied",
        "withdrawn",
        "resolved",
        "upheld",
    }


def test_a_second_run_adds_no_cases(seeded):
    from casework.models import Case, CaseActivity

    before = (Case.objects.count(), CaseActivity.objects.count())
    _seed()
    assert (Case.objects.count(), CaseActivity.objects.count()) == before


def test_the_demo_lookup_leaves_one_property_on_the_verify_region_worklist(seeded):
    assert PostcodeArea.objects.count() == 6
    supervisor = User.objects.get(email="supervisor@demo.example")
    assert [p.postcode for p in property_patch_worklist_for(user=supervisor)] == ["DB5 3QT"]


def test_some_demo_contacts_have_national_ids_and_the_benefits_story_plays_out(seeded, settings):

    with_ids = [c for c in Contact.objects.all() if c.national_id]
    assert 5 <= len(with_ids) <= 10
    settings.CASEWORK_FAKE_MEMBERS = "casework.demo.DEMO_MEMBERS"
    chaser = User.objects.get(email="chaser@demo.example")
    frank = Contact.objects.get(first_name="Frank", last_name="Ellison")
    grace = Contact.objects.get(first_name="Grace", last_name="Mensah")
    dana = Contact.objects.get(first_name="Dana", last_name="Ellison")
    link = identity.contact_external_key_link(actor=chaser, contact=frank, system="benefits", key="12345")
    assert link.contact == frank
    with pytest.raises(errors.ValidationError, match="does not match"):
        identity.contact_external_key_link(actor=chaser, contact=grace, system="benefits", key="67890")
    with pytest.raises(errors.ValidationError, match="not the head of a household"):
        identity.contact_external_key_link(actor=chaser, contact=dana, system="benefits", key="12345-2")
    assert list(ContactExternalKey.objects.values_list("key", flat=True)) == ["12345"]
