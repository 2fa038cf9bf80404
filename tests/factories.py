"""factory_boy factories: how tests build objects.

Every value a test does not name gets a plain, predictable default (sequences, not random
names: a random "Bo" among the extra children would make a page assertion lie). A factory
given a parent builds in that parent's organisation: `PlacementFactory(group=babies)` makes
the child in the group's organisation, so a test never crosses organisations by accident.

    kid = ChildFactory(organisation=org, first_name="Sam", guardians=[anna])
    PlacementFactory(child=kid, group=bso, weekdays=(0,), parts=("afternoon",))
    PlacementFactory(group=babies, child__guardians=[anna])  # a new child with its placement
"""

import datetime as dt

import factory

from portal.accounts.models import User
from portal.children.models import Child, Guardian, Placement, ScheduledDayPart
from portal.organisations.models import (
    Group,
    GroupStaff,
    Location,
    LocationPlanner,
    Organisation,
    OrganisationAdmin,
)

PASSWORD = "a-Long-test-passw0rd"
WEEKDAYS = (0, 1, 2, 3, 4)
DAY_PARTS = ("morning", "afternoon")


class UserFactory(factory.django.DjangoModelFactory):
    """A login. `password=None` makes one without a usable password ("no account yet")."""

    class Meta:
        model = User

    email = factory.Sequence(lambda n: f"user{n}@example.test")
    full_name = factory.Sequence(lambda n: f"Persoon {n}")
    password = PASSWORD

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # The manager's way: the address normalised, the password hashed or made unusable.
        return model_class.objects.create_user(*args, **kwargs)


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
    """A child; `guardians=[user, ...]` makes those users its guardians."""

    class Meta:
        model = Child
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    first_name = factory.Sequence(lambda n: f"Kind{n}")
    last_name = "Test"
    birth_date = dt.date(2025, 3, 1)

    @factory.post_generation
    def guardians(child, create, extracted, **kwargs):
        for user in extracted or ():
            GuardianFactory(user=user, child=child)


class GuardianFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Guardian

    user = factory.SubFactory(UserFactory, password=None)
    child = factory.SubFactory(ChildFactory)


class PlacementFactory(factory.django.DjangoModelFactory):
    """A placement with its weekly schedule: `weekdays` (0 is Monday) × `parts`, every day part
    of every weekday unless told. A new child is made in the group's organisation."""

    class Meta:
        model = Placement

    group = factory.SubFactory(GroupFactory)
    child = factory.SubFactory(ChildFactory, organisation=factory.SelfAttribute("..group.location.organisation"))
    start_date = dt.date(2026, 1, 1)
    end_date = None

    @classmethod
    def _create(cls, model_class, *args, weekdays=WEEKDAYS, parts=DAY_PARTS, **kwargs):
        placement = super()._create(model_class, *args, **kwargs)
        ScheduledDayPart.objects.bulk_create(
            ScheduledDayPart(placement=placement, weekday=w, day_part=p) for w in weekdays for p in parts
        )
        return placement


class GroupStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GroupStaff

    user = factory.SubFactory(UserFactory)
    group = factory.SubFactory(GroupFactory)


class LocationPlannerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocationPlanner

    user = factory.SubFactory(UserFactory)
    location = factory.SubFactory(LocationFactory)


class OrganisationAdminFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrganisationAdmin

    user = factory.SubFactory(UserFactory)
    organisation = factory.SubFactory(OrganisationFactory)


def place(child, group, start, *, end=None, weekdays=WEEKDAYS, parts=DAY_PARTS):
    """A placement with a weekly schedule (the short form of PlacementFactory)."""
    return PlacementFactory(child=child, group=group, start_date=start, end_date=end, weekdays=weekdays, parts=parts)
