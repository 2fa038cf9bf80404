"""The factories build what their docstrings promise, so tests can lean on them."""

from portal.children.models import Guardian
from tests.factories import PASSWORD, ChildFactory, GroupFactory, GuardianFactory, PlacementFactory, UserFactory


def test_a_placement_makes_its_child_in_the_groups_organisation_with_a_schedule(db):
    group = GroupFactory()
    placement = PlacementFactory(group=group, weekdays=(0, 2), parts=("morning",))
    assert placement.child.organisation == group.location.organisation
    assert sorted(placement.schedule.values_list("weekday", "day_part")) == [(0, "morning"), (2, "morning")]
    assert PlacementFactory(group=group).schedule.count() == 10  # every day part of the week


def test_a_child_gets_the_guardians_it_is_given(db):
    anna, bert = UserFactory(), UserFactory()
    kid = ChildFactory(guardians=[anna, bert])
    assert set(Guardian.objects.filter(child=kid).values_list("user", flat=True)) == {anna.pk, bert.pk}
    assert not ChildFactory().guardians.exists()


def test_users_log_in_with_the_test_password_and_new_guardians_have_no_account_yet(db):
    assert UserFactory(email="Iemand@Example.TEST").check_password(PASSWORD)
    assert UserFactory(password=None).has_usable_password() is False
    assert GuardianFactory().user.has_usable_password() is False
