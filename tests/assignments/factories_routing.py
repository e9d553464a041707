"""Factories for the router's rows (routing rules, case routing states, offers, decline reasons) and
for staff as the router sees them. They write rows directly, as the router would have left them:
use them to arrange a test."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from assignments.models import CaseRouting, DeclineReason, Offer, RoutingProfile, RoutingProfileSkill, RoutingRule
from tests.assignments.factories import RoutingProfileFactory
from tests.casework.factories import CaseFactory, CaseTypeFactory


class StaffProfileFactory(RoutingProfileFactory):
    """A routing profile whose skills are also in `skill_ids` (the copy the router matches on, as
    routing_profile_set keeps it). Offline by default; traits `available`, `busy`; `full` sets the
    load to the capacity."""

    class Params:
        available = factory.Trait(presence=RoutingProfile.Presence.AVAILABLE)
        busy = factory.Trait(presence=RoutingProfile.Presence.BUSY)
        full = factory.Trait(presence=RoutingProfile.Presence.AVAILABLE, load=factory.SelfAttribute("capacity"))

    @factory.post_generation
    def skills(obj, create, extracted, **kwargs):
        if create and extracted:
            RoutingProfileSkill.objects.bulk_create(RoutingProfileSkill(profile=obj, skill=s) for s in extracted)
            obj.skill_ids = sorted(skill.pk for skill in extracted)
            RoutingProfile.objects.filter(pk=obj.pk).update(skill_ids=obj.skill_ids)


class RoutingRuleFactory(DjangoModelFactory):
    """A rule for a case type's chevron (tenant applications' chaser chevron by default);
    `skills=[...]` sets the skills it needs."""

    class Meta:
        model = RoutingRule
        django_get_or_create = ("case_type", "status")
        skip_postgeneration_save = True

    case_type = factory.SubFactory(CaseTypeFactory)
    status = "chaser"

    @factory.post_generation
    def skills(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.skills.set(extracted)


class CaseRoutingFactory(DjangoModelFactory):
    """A case awaiting assignment on its chevron (a tenant application on chaser by default) since
    an hour ago; `skills=[...]` sets the skills it needs; `urgent=True` puts it first."""

    class Meta:
        model = CaseRouting
        exclude = ["skills", "urgent"]

    case = factory.SubFactory(CaseFactory, status="chaser")
    state = CaseRouting.State.AWAITING
    status = factory.LazyAttribute(lambda o: o.case.status)
    skills: list = []
    urgent = False
    skill_ids = factory.LazyAttribute(lambda o: [skill.pk for skill in o.skills])
    priority_rank = factory.LazyAttribute(lambda o: 0 if o.urgent else 1)
    waiting_since = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(hours=1))


class DeclineReasonFactory(DjangoModelFactory):
    class Meta:
        model = DeclineReason
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"reason-{n}")
    label = factory.LazyAttribute(lambda o: o.code.replace("-", " ").capitalize())


class OfferFactory(DjangoModelFactory):
    """A pending offer made ten minutes ago, open for an hour."""

    class Meta:
        model = Offer

    case = factory.SubFactory(CaseFactory, status="chaser")
    user = factory.SubFactory("tests.assignments.factories.StaffUserFactory")
    status = Offer.Status.PENDING
    offered_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(minutes=10))
    expires_at = factory.LazyAttribute(lambda o: o.offered_at + datetime.timedelta(minutes=60))
