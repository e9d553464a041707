"""Factories for skills and routing profiles (saved through the models; the services are what
the tests exercise)."""

import factory
from factory.django import DjangoModelFactory

from assignments.models import RoutingProfile, RoutingProfileSkill, Skill
from core.models import User


class StaffUserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"officer{n}@test.example")
    kind = User.Kind.STAFF
    first_name = factory.Iterator(["Chris", "Maya", "Rhys", "Rana"])
    last_name = factory.Sequence(lambda n: f"Officer{n}")


class SkillFactory(DjangoModelFactory):
    class Meta:
        model = Skill
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"skill-{n}")
    name = factory.LazyAttribute(lambda o: o.code.replace("-", " ").capitalize())
    category = Skill.Category.FUNCTION

    class Params:
        inactive = factory.Trait(is_active=False)


class RoutingProfileFactory(DjangoModelFactory):
    """A staff member's profile, offline, capacity 100; `skills=[...]` grants skills;
    trait `available`."""

    class Meta:
        model = RoutingProfile
        skip_postgeneration_save = True

    user = factory.SubFactory(StaffUserFactory)
    capacity = 100

    class Params:
        available = factory.Trait(presence=RoutingProfile.Presence.AVAILABLE)

    @factory.post_generation
    def skills(obj, create, extracted, **kwargs):
        if create and extracted:
            RoutingProfileSkill.objects.bulk_create(RoutingProfileSkill(profile=obj, skill=s) for s in extracted)
