"""Factories for people and places, one per meaningful state. They save through the models
(references are issued by Referenced.save), not the services: use them to arrange a test, and
call the services in the part of the test that is under test."""

import datetime
from decimal import Decimal

import factory
from factory.django import DjangoModelFactory

from casework.models import Contact, Household, HouseholdMember, Organisation, Patch, Property, Region, Tenancy


class RegionFactory(DjangoModelFactory):
    class Meta:
        model = Region
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"R{n}")
    name = factory.Sequence(lambda n: f"Region {n}")
    administering_agency = "Test Borough Council Housing Services"


class PatchFactory(DjangoModelFactory):
    class Meta:
        model = Patch
        django_get_or_create = ("code",)

    region = factory.SubFactory(RegionFactory)
    code = factory.Sequence(lambda n: f"P{n:02d}")
    name = factory.Sequence(lambda n: f"Patch {n}")


class ContactFactory(DjangoModelFactory):
    class Meta:
        model = Contact

    first_name = factory.Iterator(["Tara", "Piotr", "Hodan", "Rhys", "Mei", "Omar"])
    last_name = factory.Sequence(lambda n: f"Tester{n}")
    date_of_birth = datetime.date(1985, 6, 15)
    phone = "07700 900123"
    email = factory.LazyAttribute(lambda o: f"{o.first_name}.{o.last_name}@example.com".lower())


class HouseholdFactory(DjangoModelFactory):
    """A household with a head (a new contact, or `head=<contact>`); `head=False` for none."""

    class Meta:
        model = Household
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Household {n}")

    @factory.post_generation
    def head(obj, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        HouseholdMemberFactory(
            household=obj, contact=extracted or ContactFactory(), relationship=HouseholdMember.Relationship.HEAD
        )


class HouseholdMemberFactory(DjangoModelFactory):
    class Meta:
        model = HouseholdMember

    household = factory.SubFactory(HouseholdFactory, head=False)
    contact = factory.SubFactory(ContactFactory)
    relationship = HouseholdMember.Relationship.CHILD
    is_head = factory.LazyAttribute(lambda o: o.relationship == HouseholdMember.Relationship.HEAD)


class OrganisationFactory(DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Lettings {n} Ltd")
    kind = Organisation.Kind.PROPERTY_MANAGER
    email = "lettings@example.com"


class PropertyFactory(DjangoModelFactory):
    class Meta:
        model = Property

    address_line_1 = factory.Sequence(lambda n: f"{n + 1} Test Street")
    town = "Kingsford"
    postcode = "DB1 1AA"
    patch = factory.SubFactory(PatchFactory)
    # As the postcode lookup would have set it; patch=None makes an unresolved property.
    patch_source = factory.LazyAttribute(
        lambda o: Property.PatchSource.LOOKUP if o.patch else Property.PatchSource.UNRESOLVED
    )

    class Params:
        privately_let = factory.Trait(landlord_organisation=factory.SubFactory(OrganisationFactory))


class TenancyFactory(DjangoModelFactory):
    """An active secure tenancy; traits `pending_cancellation` and `ended`."""

    class Meta:
        model = Tenancy

    property = factory.SubFactory(PropertyFactory)
    household = factory.SubFactory(HouseholdFactory)
    tenure_type = Tenancy.TenureType.SECURE
    start_date = datetime.date(2024, 4, 1)
    weekly_rent = Decimal("112.50")
    status = Tenancy.Status.ACTIVE

    class Params:
        pending_cancellation = factory.Trait(
            status=Tenancy.Status.PENDING_CANCELLATION, end_date=datetime.date(2026, 12, 31)
        )
        ended = factory.Trait(
            status=Tenancy.Status.ENDED, start_date=datetime.date(2015, 4, 1), end_date=datetime.date(2020, 3, 31)
        )


# --- cases -----------------------------------------------------------------------------------

from casework.models import Case, CaseType, Queue, Team, TeamMembership, Workflow  # noqa: E402

_PREFIXES = {
    Workflow.RENTAL_TENANT: "RAFT",
    Workflow.RENTAL_LANDLORD: "RAFL",
    Workflow.APPEAL: "APL",
    Workflow.ARREARS: "ARR",
    Workflow.HOUSING_OPTIONS: "HOP",
    Workflow.SUPPORT: "SUP",
    Workflow.AUTOMATED: "AUTO",
}


class CaseTypeFactory(DjangoModelFactory):
    """One case type per workflow (get-or-create by code), e.g. CaseTypeFactory(workflow="arrears")."""

    class Meta:
        model = CaseType
        django_get_or_create = ("code",)

    workflow = Workflow.RENTAL_TENANT
    code = factory.LazyAttribute(lambda o: o.workflow.replace("_", "-"))
    name = factory.LazyAttribute(lambda o: Workflow(o.workflow).label)
    number_prefix = factory.LazyAttribute(lambda o: _PREFIXES[o.workflow])


class CaseFactory(DjangoModelFactory):
    """A case on its workflow's first chevron, or on any chevron with `status=` (and
    `closure_stage=` when closed). Arranging a test does not replay the transitions: the status
    is written directly, as a migration or import would."""

    class Meta:
        model = Case

    case_type = factory.SubFactory(CaseTypeFactory)
    contact = factory.SubFactory(ContactFactory)
    description = "Test case"

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        status = kwargs.pop("status", None)
        closure_stage = kwargs.pop("closure_stage", "")
        case = model_class(*args, **kwargs)
        case.save()
        if status:
            from django.utils import timezone

            closed = status == "closed"
            model_class.objects.filter(pk=case.pk).update(
                status=status,
                closure_stage=(closure_stage or "resolved") if closed else "",
                closed_at=timezone.now() if closed else None,
            )
            case = model_class.objects.get(pk=case.pk)
        return case


def tenant_case(**kwargs) -> Case:
    return CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.RENTAL_TENANT), **kwargs)


def landlord_case(**kwargs) -> Case:
    return CaseFactory(case_type=CaseTypeFactory(workflow=Workflow.RENTAL_LANDLORD), **kwargs)


class TeamFactory(DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"team-{n}")
    name = factory.Sequence(lambda n: f"Team {n}")


class QueueFactory(DjangoModelFactory):
    class Meta:
        model = Queue
        django_get_or_create = ("code",)

    team = factory.SubFactory(TeamFactory)
    code = factory.Sequence(lambda n: f"queue-{n}")
    name = factory.Sequence(lambda n: f"Queue {n}")


def team_member(team: Team, user) -> TeamMembership:
    return TeamMembership.objects.create(team=team, user=user)
