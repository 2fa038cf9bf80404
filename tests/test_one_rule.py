"""Rules that many screens share live once; these tests hold them to it."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.urls import reverse

from portal.access import diary as diary_access
from portal.children.models import Placement
from portal.core import clock
from portal.planning import selectors
from tests.conftest import TODAY, login
from tests.factories import place
from tests.test_planning import earn_credits

PORTAL = Path(__file__).resolve().parent.parent / "portal"
ROLE_IDS = re.compile(
    r"\b(guardian_child_ids|staff_group_ids|planner_location_ids|admin_organisation_ids)\b"
    r"|\broles_of\(|\.is_(guardian|group_staff|planner|organisation_admin)\b"
)


def test_no_module_outside_access_reads_role_ids():
    offenders = [
        f"{path.relative_to(PORTAL)}:{number}"
        for path in PORTAL.rglob("*.py")
        if "access" not in path.relative_to(PORTAL).parts[:1] and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if ROLE_IDS.search(line)
    ]
    assert offenders == []


def test_no_module_outside_the_model_spells_out_current_or_upcoming():
    """`Placement.objects.current_or_upcoming(day)` (or `current_or_upcoming_q`) is the rule."""
    pattern = re.compile(r"end_date__(gte|isnull|lt)\b|end_date is None or|end_date >= |not \w+\.end_date or")
    templates = PORTAL.parent / "templates"
    files = [*PORTAL.rglob("*.py"), *templates.rglob("*.html")]
    offenders = [
        f"{path.relative_to(PORTAL.parent)}:{number}"
        for path in files
        if path != PORTAL / "children" / "models.py" and "migrations" not in path.parts
        for number, line in enumerate(path.read_text().splitlines(), start=1)
        if pattern.search(line)
    ]
    assert offenders == []


class TestCurrentOrUpcoming:
    def test_the_last_day_of_care_still_counts_and_the_day_after_not(self, world):
        world.bo_placement.end_date = TODAY
        world.bo_placement.save()
        assert world.bo_placement in Placement.objects.current_or_upcoming(TODAY)
        assert world.bo_placement not in Placement.objects.current_or_upcoming(TODAY + dt.timedelta(days=1))

    def test_upcoming_counts_but_is_not_active(self, world):
        assert world.fien_placement in Placement.objects.current_or_upcoming(TODAY)
        assert world.fien_placement not in Placement.objects.active_on(TODAY)
        start = world.fien_placement.start_date
        assert world.fien_placement in Placement.objects.active_on(start)
        assert world.fien_placement not in Placement.objects.active_on(start - dt.timedelta(days=1))


class TestDiaryStaffFollowThePlacement:
    def test_staff_of_the_group_the_child_left_see_no_drafts(self, world):
        """A child moved from Baby's to Peuters: Baby's staff (Sanne) no longer write or see drafts."""
        world.bo_placement.end_date = TODAY - dt.timedelta(days=1)
        world.bo_placement.save()
        place(world.bo, world.a.toddlers, TODAY)
        assert not diary_access.is_diary_staff(world.sanne, world.bo)
        assert diary_access.is_diary_staff(world.sanne, world.lin)

    def test_staff_of_the_childs_group_until_the_last_day(self, world, client):
        world.bo_placement.end_date = TODAY
        world.bo_placement.save()
        assert diary_access.is_diary_staff(world.sanne, world.bo)
        with clock.frozen(dt.datetime(2026, 11, 26, 10, 0)):
            assert not diary_access.is_diary_staff(world.sanne, world.bo)
            login(client, world.sanne)
            assert client.get(reverse("diary:child", args=[world.bo.pk])).status_code == 404


class TestUsableCredits:
    def test_the_credits_page_lists_no_credit_of_an_ended_placement(self, world, client):
        earn_credits(world, 2)
        world.bo_placement.end_date = dt.date(2027, 1, 31)
        world.bo_placement.save()
        login(client, world.anna)
        url = reverse("planning:credits", args=[world.bo.pk])
        with clock.frozen(dt.datetime(2027, 1, 31, 10, 0)):
            assert len(client.get(url).context["usable"]) == 2
        with clock.frozen(dt.datetime(2027, 2, 1, 10, 0)):
            page = client.get(url)
            assert page.context["usable"] == []
            assert page.context["balance"] == {}

    def test_one_rule_for_balance_and_list(self, world):
        earn_credits(world, 3)
        usable = list(selectors.usable_credits(world.bo, TODAY))
        assert len(usable) == 3
        assert sum(selectors.credit_balance(world.bo, TODAY).values()) == 3
        assert usable == sorted(usable, key=lambda c: (c.expires_on, c.pk))


@pytest.mark.parametrize("child_id", ["99999999999999999999999", "-1", "0"])
def test_huge_and_odd_ids_are_a_404(world, client, child_id):
    login(client, world.anna)
    assert client.get(f"/children/{child_id}/").status_code == 404


def test_the_api_has_one_error_shape_and_no_two_schemas_share_a_name(client):
    schemas = client.get("/api/v1/openapi.json").json()["components"]["schemas"]
    assert set(schemas["Error"]["properties"]) == {"error"}
    assert set(schemas["ErrorDetail"]["properties"]) == {"code", "message", "fields"}
    assert set(schemas["ThreadReadOut"]["properties"]) == {"unread", "total"}
    assert "kind" in schemas["MessageAttachmentOut"]["properties"]
    assert "NewsAttachmentOut" in schemas and "NotificationReadOut" in schemas
    defined = [
        path.name
        for path in (PORTAL / "api").glob("*.py")
        if re.search(r"^class (Message|Detail|Error\w*)\(Schema\)", path.read_text(), re.M)
    ]
    assert defined == ["schemas.py"]


def test_the_api_imports_nothing_from_view_modules():
    offenders = [
        path.name
        for path in (PORTAL / "api").glob("*.py")
        if re.search(r"^from portal\.\w+\.views import", path.read_text(), re.M)
    ]
    assert offenders == []


def test_an_admin_cannot_take_away_their_own_admin_role_through_the_service(world):
    from django.core.exceptions import ValidationError

    from portal.organisations.models import OrganisationAdmin
    from portal.organisations.services import staff_role_remove

    own = OrganisationAdmin.objects.get(user=world.adam)
    with pytest.raises(ValidationError):
        staff_role_remove(organisation=world.a.org, actor=world.adam, row=own)
    assert OrganisationAdmin.objects.filter(pk=own.pk).exists()
