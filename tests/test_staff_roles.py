"""staff_role_add called without the group or location its role needs (the API and the back
office form check it first; the service refuses it on its own, and makes no login)."""

import pytest
from django.core.exceptions import ValidationError

from portal.accounts.models import RoleInvitation, User
from portal.organisations.models import GroupStaff, LocationPlanner
from portal.organisations.services import staff_role_add


@pytest.mark.parametrize(
    ("role", "message"),
    [
        ("group_staff", "Kies de groep waar deze persoon werkt."),
        ("planner", "Kies de locatie waarvoor deze persoon plant."),
    ],
)
def test_a_role_without_its_group_or_location_is_refused(world, role, message):
    with pytest.raises(ValidationError) as refused:
        staff_role_add(
            organisation=world.a.org, actor=world.adam, email="nieuw@example.test", full_name="Nieuw", role=role
        )
    assert refused.value.messages == [message]
    assert not User.objects.filter(email="nieuw@example.test").exists()


def test_with_its_group_or_location_the_role_is_offered(world):
    """The role waits for the person to accept it (portal.accounts.identity.role_invite)."""
    staff = staff_role_add(
        organisation=world.a.org,
        actor=world.adam,
        email="nieuw@example.test",
        full_name="Nieuw",
        role="group_staff",
        group=world.a.toddlers,
    )
    planner = staff_role_add(
        organisation=world.a.org,
        actor=world.adam,
        email="nieuw@example.test",
        full_name="Nieuw",
        role="planner",
        location=world.a.noord,
    )
    assert isinstance(staff, RoleInvitation) and staff.group == world.a.toddlers and staff.role == "group_staff"
    assert isinstance(planner, RoleInvitation) and planner.location == world.a.noord and planner.role == "planner"
    assert not GroupStaff.objects.filter(user__email="nieuw@example.test").exists()
    assert not LocationPlanner.objects.filter(user__email="nieuw@example.test").exists()
