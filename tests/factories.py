import datetime as dt

import factory

from portal.accounts.models import User
from portal.children.models import Child, Guardian, Placement, ScheduledDayPart
from portal.organisations.models import Group, Location, Organisation


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Faker("name", locale="nl_NL")
    password = factory.PostGenerationMethodCall("set_unusable_password")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Kinderopvang {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Locatie {n}")
    street = "Dorpsstraat 1"
    postcode = "1234 AB"
    city = "Utrecht"
    phone = "030 111 22 33"
    lrk_number = "123456789"


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    location = factory.SubFactory(LocationFactory)
    name = factory.Sequence(lambda n: f"Groep {n}")
    kind = Group.Kind.DAYCARE


class ChildFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Child

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Faker("first_name", locale="nl_NL")
    last_name = factory.Faker("last_name", locale="nl_NL")
    birth_date = dt.date(2025, 3, 1)
    photo_consent = True


class PlacementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Placement

    child = factory.SubFactory(ChildFactory)
    group = factory.SubFactory(GroupFactory)
    start_date = dt.date(2026, 1, 1)


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    user = factory.SubFactory(UserFactory)
    child = factory.SubFactory(ChildFactory)


def place(child, group, start, *, end=None, weekdays=(0, 1, 2, 3, 4), parts=("morning", "afternoon")):
    """A placement with a weekly schedule."""
    placement = Placement.objects.create(child=child, group=group, start_date=start, end_date=end)
    ScheduledDayPart.objects.bulk_create(
        ScheduledDayPart(placement=placement, weekday=w, day_part=p) for w in weekdays for p in parts
    )
    return placement
