import datetime as dt
import re

import pytest
from django.core import mail
from django.urls import reverse

from portal.accounts.models import Invitation, RoleInvitation, User
from portal.accounts.services import invitations_send_due
from portal.children.models import Child, Guardian, Placement
from portal.core.models import AuditEntry
from portal.organisations.models import ClosingDay, GroupStaff, LocationPlanner, RosterException, RosterPattern
from portal.planning.selectors import Snapshot
from tests.conftest import TODAY, child, login
from tests.factories import place


def url(name, world, **kwargs):
    return reverse(f"backoffice:{name}", kwargs={"organisation_id": world.a.org.pk, **kwargs})


def new_child_form(world, **overrides):
    data = {
        "first_name": "Vos",
        "last_name": "de Wit",
        "birth_date": "2025-10-01",
        "photo_consent": "on",
        "allergies": "",
        "notes": "",
        "external_id": "77",
        "guardian1_email": "moeder@example.test",
        "guardian1_name": "Mira de Wit",
        "guardian1_relation": "parent",
        "guardian2_email": "vader@example.test",
        "guardian2_name": "Vincent de Wit",
        "guardian2_relation": "parent",
        "group": world.a.babies.pk,
        "start_date": (TODAY + dt.timedelta(days=60)).isoformat(),
        "end_date": "",
        "schedule": ["0-morning", "0-afternoon", "3-morning"],
    }
    data.update(overrides)
    return data


@pytest.fixture
def admin(client, world):
    login(client, world.adam)
    return client


class TestAddingAChild:
    def test_a_child_with_two_guardians_in_one_step(self, admin, world, committed):
        with committed():
            response = admin.post(url("child_create", world), new_child_form(world))
        assert response.status_code == 302
        kid = Child.objects.get(first_name="Vos")
        assert {g.user.email for g in kid.guardians.all()} == {"moeder@example.test", "vader@example.test"}
        assert not any(g.user.has_usable_password() for g in kid.guardians.all())
        placement = kid.placements.get()
        assert sorted(placement.schedule.values_list("weekday", "day_part")) == [
            (0, "afternoon"),
            (0, "morning"),
            (3, "morning"),
        ]
        assert AuditEntry.objects.get(action="child.created").actor == world.adam
        assert mail.outbox == []  # 60 days ahead: not due yet
        # 42 days before the start the daily job invites both guardians.
        with committed():
            invitations_send_due(TODAY + dt.timedelta(days=18))
        assert sorted(m.to[0] for m in mail.outbox) == ["moeder@example.test", "vader@example.test"]

    def test_a_child_starting_soon_gets_its_invitations_at_once(self, admin, world, committed):
        with committed():
            admin.post(
                url("child_create", world),
                new_child_form(world, start_date=(TODAY + dt.timedelta(days=10)).isoformat()),
            )
        assert sorted(m.to[0] for m in mail.outbox) == ["moeder@example.test", "vader@example.test"]

    def test_an_existing_user_is_linked_not_duplicated(self, admin, world):
        admin.post(url("child_create", world), new_child_form(world, guardian1_email="ANNA@example.test"))
        assert User.objects.filter(email="anna@example.test").count() == 1
        assert Guardian.objects.filter(user=world.anna, child__first_name="Vos").exists()

    @pytest.mark.parametrize(
        ("overrides", "field"),
        [
            ({"guardian2_email": "moeder@example.test"}, "guardian2_email"),
            ({"end_date": "2026-01-01"}, "end_date"),
            ({"birth_date": "01-10-2025x"}, "birth_date"),
            ({"schedule": []}, "schedule"),
            ({"guardian2_name": ""}, "guardian2_name"),
            ({"external_id": ""}, None),
        ],
    )
    def test_wrong_values_are_explained_and_nothing_is_saved(self, admin, world, overrides, field):
        response = admin.post(url("child_create", world), new_child_form(world, **overrides))
        if field is None:
            assert response.status_code == 302  # an empty number is fine
            return
        assert response.status_code == 200
        assert field in response.context["form"].errors
        assert not Child.objects.filter(first_name="Vos").exists()

    def test_a_group_of_another_organisation_cannot_be_chosen(self, admin, world):
        response = admin.post(url("child_create", world), new_child_form(world, group=world.b.babies.pk))
        assert "group" in response.context["form"].errors

    def test_the_number_is_unique_within_the_organisation(self, admin, world):
        world.bo.external_id = "77"
        world.bo.save()
        response = admin.post(url("child_create", world), new_child_form(world))
        assert "external_id" in response.context["form"].errors


class TestOneStepChanges:
    def test_add_a_second_guardian(self, admin, world, committed):
        with committed():
            response = admin.post(
                url("guardian_add", world, child_id=world.mo.pk),
                {"email": "tweede@example.test", "full_name": "Tweede Ouder", "relation": "parent"},
            )
        assert response.status_code == 302
        assert world.mo.guardians.count() == 2
        assert [m.to for m in mail.outbox] == [["tweede@example.test"]]  # Mo is placed already: invited now

    def test_the_same_guardian_twice_is_explained(self, admin, world):
        response = admin.post(
            url("guardian_add", world, child_id=world.mo.pk),
            {"email": "anna@example.test", "full_name": "Anna", "relation": "parent"},
        )
        assert response.status_code == 400 and "al" in response.content.decode()

    def test_the_last_guardian_stays(self, admin, world):
        guardian = Guardian.objects.get(child=world.lin)
        admin.post(url("guardian_remove", world, child_id=world.lin.pk, guardian_id=guardian.pk))
        assert Guardian.objects.filter(pk=guardian.pk).exists()

    def test_end_a_placement_on_its_last_day(self, admin, world):
        response = admin.post(
            url("placement_end", world, placement_id=world.mo_placement.pk),
            {f"end{world.mo_placement.pk}-end_date": "2026-12-31", f"end{world.mo_placement.pk}-confirm": "on"},
        )
        assert response.status_code == 302
        world.mo_placement.refresh_from_db()
        assert world.mo_placement.end_date == dt.date(2026, 12, 31)
        assert AuditEntry.objects.filter(action="placement.ended", object_id=world.mo.pk).exists()

    def test_ending_needs_confirmation_and_a_date_after_the_start(self, admin, world):
        prefix = f"end{world.mo_placement.pk}"
        unconfirmed = admin.post(
            url("placement_end", world, placement_id=world.mo_placement.pk), {f"{prefix}-end_date": "2026-12-31"}
        )
        assert unconfirmed.status_code == 400
        too_early = admin.post(
            url("placement_end", world, placement_id=world.mo_placement.pk),
            {f"{prefix}-end_date": "2025-12-31", f"{prefix}-confirm": "on"},
        )
        assert too_early.status_code == 400
        world.mo_placement.refresh_from_db()
        assert world.mo_placement.end_date is None

    def test_move_to_another_group(self, admin, world):
        prefix = f"move{world.mo_placement.pk}"
        response = admin.post(
            url("placement_move", world, placement_id=world.mo_placement.pk),
            {f"{prefix}-group": world.a.bso.pk, f"{prefix}-from_date": "2026-12-01"},
        )
        assert response.status_code == 302
        old, new = Placement.objects.filter(child=world.mo).order_by("start_date")
        assert old.end_date == dt.date(2026, 11, 30) and new.start_date == dt.date(2026, 12, 1)
        assert new.group == world.a.bso
        assert sorted(new.schedule.values_list("weekday", "day_part")) == sorted(
            old.schedule.values_list("weekday", "day_part")
        )

    def test_moving_before_the_start_is_refused(self, admin, world):
        prefix = f"move{world.mo_placement.pk}"
        response = admin.post(
            url("placement_move", world, placement_id=world.mo_placement.pk),
            {f"{prefix}-group": world.a.bso.pk, f"{prefix}-from_date": "2026-01-01"},
        )
        assert response.status_code == 400
        assert Placement.objects.filter(child=world.mo).count() == 1

    def test_another_organisations_placement_is_404(self, admin, world):
        prefix = f"end{world.olle_placement.pk}"
        response = admin.post(
            url("placement_end", world, placement_id=world.olle_placement.pk),
            {f"{prefix}-end_date": "2026-12-31", f"{prefix}-confirm": "on"},
        )
        assert response.status_code == 404


class TestChildrenList:
    def test_search_and_filters(self, admin, world):
        page = admin.get(url("children", world), {"q": "anna@example"}).content.decode()
        assert "Test, Bo" in page and "Test, Mo" in page and "Test, Lin" not in page
        page = admin.get(url("children", world), {"group": world.a.babies.pk}).content.decode()
        assert "Test, Bo" in page and "Test, Mo" not in page
        page = admin.get(url("children", world), {"status": "upcoming"}).content.decode()
        assert "Test, Fien" in page and "Test, Bo" not in page
        page = admin.get(url("children", world), {"q": "Olle"}).content.decode()
        assert "Test, Olle" not in page  # another organisation's child

    def test_pagination_and_constant_queries(self, admin, world, django_assert_max_num_queries):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        def count():
            with CaptureQueriesContext(connection) as queries:
                assert admin.get(url("children", world), {"status": "all"}).status_code == 200
            return len(queries)

        small = count()
        for number in range(60):
            kid = child(world.a.org, f"Extra{number:02d}", dt.date(2025, 1, 1))
            place(kid, world.a.toddlers, dt.date(2026, 1, 1))
        assert count() == small
        second = admin.get(url("children", world), {"status": "all", "page": 2}).content.decode()
        assert "pagina 2 van 3" in second

    def test_the_filters_keep_what_was_chosen_and_group_the_groups_by_location(self, admin, world):
        page = admin.get(url("children", world), {"group": world.a.babies.pk, "location": world.a.centrum.pk})
        html = page.content.decode()
        assert f'<option value="{world.a.babies.pk}" selected>Baby&#x27;s</option>' in html
        assert f'<option value="{world.a.centrum.pk}" selected>{world.a.centrum.name}</option>' in html
        assert f'<optgroup label="{world.a.centrum.name}">' in html
        assert html.count(" selected>") == 3  # the two filters and the placement state
        group_select = html.split('id="group"')[1].split("</select>")[0]
        assert f'value="{world.a.bso.pk}"' not in group_select  # the chosen location's groups only
        html = admin.get(url("children", world)).content.decode()
        group_select = html.split('id="group"')[1].split("</select>")[0]
        assert f'value="{world.a.bso.pk}"' in group_select and f'value="{world.a.babies.pk}"' in group_select
        assert f'value="{world.b.babies.pk}"' not in group_select  # not another organisation's groups

    def test_a_group_chosen_before_stays_in_the_select_when_another_location_is_chosen(self, admin, world):
        html = admin.get(url("children", world), {"location": world.a.centrum.pk, "group": world.a.bso.pk})
        group_select = html.content.decode().split('id="group"')[1].split("</select>")[0]
        assert f'<option value="{world.a.bso.pk}" selected>' in group_select
        assert f'value="{world.a.babies.pk}"' in group_select

    def test_past_the_limit_the_location_comes_before_its_groups(self, admin, world, monkeypatch):
        from portal.backoffice import forms

        monkeypatch.setattr(forms, "GROUP_LIST_LIMIT", 2)  # organisation A has three groups
        html = admin.get(url("children", world)).content.decode()
        group_select = html.split('id="group"')[1].split("</select>")[0]
        assert "<option value=" not in group_select.replace('<option value="">', "")
        assert "Kies eerst een locatie" in html and 'aria-describedby="group-hint"' in html
        # A group chosen before stays chosen, so the filter still shows what it filters on.
        response = admin.get(url("children", world), {"group": world.a.babies.pk})
        html = response.content.decode()
        assert f'<option value="{world.a.babies.pk}" selected>' in html and "Test, Bo" in html
        html = admin.get(url("children", world), {"location": world.a.centrum.pk}).content.decode()
        assert f'value="{world.a.babies.pk}"' in html and "Kies eerst een locatie" not in html

    def test_a_childs_move_and_new_child_forms_offer_every_group_whatever_the_limit(self, admin, world, monkeypatch):
        from portal.backoffice import forms

        monkeypatch.setattr(forms, "GROUP_LIST_LIMIT", 2)  # only the lists with a location filter narrow
        for page in (url("child", world, child_id=world.bo.pk), url("child_create", world)):
            html = admin.get(page).content.decode()
            for group in (world.a.babies, world.a.toddlers, world.a.bso):
                assert f'<option value="{group.pk}"' in html

    def test_the_count_stops_at_the_limit(self, admin, world, monkeypatch):
        from portal.core import paging

        monkeypatch.setattr(paging, "COUNT_LIMIT", 30)  # pages of 25: the second page ends at the limit
        for number in range(60):
            place(child(world.a.org, f"Extra{number:02d}", dt.date(2025, 1, 1)), world.a.toddlers, dt.date(2026, 1, 1))
        response = admin.get(url("children", world), {"status": "all"})
        paginator = response.context["page"].paginator
        assert paginator.count == 31 and not paginator.count_is_exact and paginator.num_pages == 2
        assert "Meer dan 30 kinderen" in response.content.decode()
        second = admin.get(url("children", world), {"status": "all", "page": 2})
        html = second.content.decode()
        assert len(second.context["page"].object_list) == 5 and not second.context["page"].has_next()
        assert "pagina 2" in html and "pagina 2 van" not in html and 'rel="next"' not in html
        assert admin.get(url("children", world), {"status": "all", "page": 9}).context["page"].number == 2
        exact = admin.get(url("children", world), {"q": "Extra05"})
        assert exact.context["page"].paginator.count_is_exact and "1 kind" in exact.content.decode()

    def test_many_groups_and_locations_cost_no_more_queries(self, admin, world):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from tests.factories import GroupFactory, LocationFactory

        def count():
            with CaptureQueriesContext(connection) as queries:
                assert admin.get(url("children", world)).status_code == 200
            return len(queries)

        small = count()
        for number in range(5):
            location = LocationFactory(organisation=world.a.org, name=f"Locatie {number}")
            for kind in range(4):
                GroupFactory(location=location, name=f"Groep {number}.{kind}")
        assert count() == small


class TestSettingsAndClosingDays:
    def test_settings_are_saved_and_recorded(self, admin, world):
        data = {
            "save_settings": "1",
            "name": "Zonnebloem",
            "invitation_lead_days": "30",
            "credit_deadline_hour": "12",
            "credit_deadline_days_before": "1",
            "credit_validity_days": "365",
            "grace_period_days": "90",
        }
        assert admin.post(url("settings", world), data).status_code == 302
        world.a.org.refresh_from_db()
        assert world.a.org.invitation_lead_days == 30
        entry = AuditEntry.objects.get(action="organisation.settings.changed")
        assert entry.changes == {"invitation_lead_days": [42, 30]}

    def test_a_wrong_hour_is_explained(self, admin, world):
        data = {
            "save_settings": "1",
            "name": "Zonnebloem",
            "invitation_lead_days": "42",
            "credit_deadline_hour": "25",
            "credit_deadline_days_before": "1",
            "credit_validity_days": "365",
            "grace_period_days": "90",
        }
        response = admin.post(url("settings", world), data)
        assert response.status_code == 400 and "credit_deadline_hour" in response.context["form"].errors

    def test_defaults(self, world):
        org = world.a.org
        assert (org.invitation_lead_days, org.credit_deadline_hour, org.credit_deadline_days_before) == (42, 12, 1)
        assert (org.credit_validity_days, org.grace_period_days) == (365, 90)

    def test_closing_days_for_all_locations_and_removal(self, admin, world):
        data = {
            "add_closing_day": "1",
            "date": "2026-12-25",
            "name": "Eerste Kerstdag",
            "locations": [world.a.centrum.pk, world.a.noord.pk],
        }
        assert admin.post(url("settings", world), data).status_code == 302
        assert ClosingDay.objects.filter(date=dt.date(2026, 12, 25)).count() == 2
        admin.post(url("settings", world), data)  # twice: still one per location
        assert ClosingDay.objects.filter(date=dt.date(2026, 12, 25)).count() == 2
        day = ClosingDay.objects.first()
        admin.post(url("closing_day_remove", world, closing_day_id=day.pk))
        assert ClosingDay.objects.count() == 1


def test_editing_a_location_records_what_changed(admin, world):
    data = {
        "name": "Zonnebloem Centrum",
        "street": "Markt 2",
        "postcode": "1234 AB",
        "city": "Utrecht",
        "phone": "030 111 22 33",
        "lrk_number": "111222333",
    }
    assert admin.post(url("location_edit", world, location_id=world.a.centrum.pk), data).status_code == 302
    world.a.centrum.refresh_from_db()
    assert world.a.centrum.street == "Markt 2"
    assert AuditEntry.objects.get(action="location.updated").changes == {"street": ["Markt 1", "Markt 2"]}
    bad = admin.post(url("location_edit", world, location_id=world.a.centrum.pk), {**data, "lrk_number": "12"})
    assert bad.status_code == 200 and "lrk_number" in bad.context["form"].errors


class TestStaff:
    def test_a_new_staff_member_is_invited(self, admin, world, committed):
        with committed():
            response = admin.post(
                url("staff", world),
                {
                    "email": "nieuwe@example.test",
                    "full_name": "Nieuwe Collega",
                    "role": "group_staff",
                    "group": world.a.toddlers.pk,
                },
            )
        assert response.status_code == 302
        assert [m.to for m in mail.outbox] == [["nieuwe@example.test"]]
        # The role waits for the person: they choose a password with the link, then accept it.
        assert not GroupStaff.objects.filter(user__email="nieuwe@example.test").exists()
        [line] = [line for line in mail.outbox[0].body.splitlines() if "/accounts/invitation/" in line]
        admin.logout()
        password = {"new_password1": "een-Lang-wachtw00rd", "new_password2": "een-Lang-wachtw00rd"}
        answer = admin.post(line.strip().removeprefix("http://testserver"), password)
        assert answer["Location"] == reverse("accounts:roles")
        [invitation] = RoleInvitation.objects.filter(user__email="nieuwe@example.test")
        admin.post(reverse("accounts:role_accept", args=[invitation.pk]))
        assert GroupStaff.objects.filter(user__email="nieuwe@example.test", group=world.a.toddlers).exists()

    def test_a_planner_needs_a_location(self, admin, world):
        response = admin.post(url("staff", world), {"email": "p@example.test", "full_name": "P", "role": "planner"})
        assert response.status_code == 400 and not LocationPlanner.objects.filter(user__email="p@example.test").exists()

    def test_the_form_offers_the_chosen_locations_groups_and_past_the_limit_asks_for_one(
        self, admin, world, monkeypatch
    ):
        from portal.backoffice import forms

        def offered(**params):
            html = admin.get(url("staff", world), params).content.decode()
            select = html.split('name="group"')[1].split("</select>")[0]
            return {int(v) for v in re.findall(r'<option value="(\d+)"', select)}, html

        groups, _ = offered()
        assert groups == {world.a.babies.pk, world.a.toddlers.pk, world.a.bso.pk}
        assert offered(location=world.a.centrum.pk)[0] == {world.a.babies.pk, world.a.toddlers.pk}
        monkeypatch.setattr(forms, "GROUP_LIST_LIMIT", 2)
        groups, html = offered()
        assert groups == set() and "kies hierboven eerst een locatie" in html
        assert offered(location=world.a.centrum.pk)[0] == {world.a.babies.pk, world.a.toddlers.pk}
        # Every group of the organisation stays a valid answer, offered or not; another's is not.
        data = {"email": "n@example.test", "full_name": "N", "role": "group_staff", "group": world.a.bso.pk}
        assert admin.post(url("staff", world) + f"?location={world.a.centrum.pk}", data).status_code == 302
        data.update(email="m@example.test", group=world.b.babies.pk)
        assert admin.post(url("staff", world), data).status_code == 400

    def test_an_admin_cannot_remove_their_own_role(self, admin, world):
        from portal.organisations.models import OrganisationAdmin

        row = OrganisationAdmin.objects.get(user=world.adam)
        admin.post(url("staff_remove", world, role="admin", role_id=row.pk))
        assert OrganisationAdmin.objects.filter(pk=row.pk).exists()


class TestStaffList:
    def test_the_group_staff_come_a_page_at_a_time_in_a_fixed_number_of_queries(self, admin, world):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        from portal.organisations.models import OrganisationAdmin

        def count(**query):
            with CaptureQueriesContext(connection) as queries:
                response = admin.get(url("staff", world), query)
            assert response.status_code == 200
            return len(queries), response

        few, first = count()
        assert first.context["page"].paginator.count == 1  # Sanne; Olga works for Regenboog
        for number in range(60):
            person = User.objects.create_user(email=f"leid{number:02d}@example.test", full_name=f"Leid {number:02d}")
            GroupStaff.objects.create(user=person, group=world.a.toddlers if number % 2 else world.a.babies)
            LocationPlanner.objects.create(user=person, location=world.a.noord)
            OrganisationAdmin.objects.create(user=person, organisation=world.a.org)
        many, response = count()
        assert many == few
        assert response.context["page"].paginator.count == 61 and len(response.context["page"].object_list) == 25
        assert "olga@example.test" not in response.content.decode()
        assert count(q="leid", page=3)[0] == few
        assert count(q="leid", location=world.a.centrum.pk)[0] == few - 1  # no admins under a location
        third = admin.get(url("staff", world), {"q": "leid", "page": 3}).content.decode()
        assert "pagina 3 van 3" in third and "q=leid&amp;page=2" in third

    def test_a_search_on_name_or_address_and_a_location(self, admin, world):
        page = admin.get(url("staff", world), {"q": "sanne@EXAMPLE"}).content.decode()
        assert "sanne@example.test" in page and "paula@example.test" not in page
        page = admin.get(url("staff", world), {"q": "Paula plan"}).content.decode()
        assert "paula@example.test" in page and "sanne@example.test" not in page
        response = admin.get(url("staff", world), {"location": world.a.noord.pk})
        page = response.content.decode()
        assert "sanne@example.test" not in page and "paula@example.test" not in page
        assert response.context["page"].paginator.count == 0 and not response.context["planners"]
        page = admin.get(url("staff", world), {"location": world.a.centrum.pk}).content.decode()
        assert "sanne@example.test" in page and "paula@example.test" in page

    def test_group_staff_past_the_count_limit_and_each_row_read_with_its_name(self, admin, world, monkeypatch):
        from portal.core import paging
        from tests.factories import GroupStaffFactory, UserFactory

        for number in range(30):
            GroupStaffFactory(group=world.a.toddlers, user=UserFactory(email=f"extra{number:02d}@example.test"))
        monkeypatch.setattr(paging, "COUNT_LIMIT", 26)
        response = admin.get(url("staff", world))
        page = response.context["page"]
        assert not page.paginator.count_is_exact and page.paginator.num_pages == 2
        assert "Meer dan 26 mensen op groepen" in response.content.decode()
        assert all(row.profile_name and row.user.email and row.group.location.name for row in page)
        second = admin.get(url("staff", world), {"page": 2}).context["page"]
        assert len(second.object_list) == 1 and not second.has_next()
        seen = [row.pk for row in page] + [row.pk for row in second]
        assert len(set(seen)) == 26  # no row on two pages

    def test_planners_are_listed_up_to_the_limit_and_the_search_finds_the_others(self, admin, world, monkeypatch):
        from portal.backoffice import views
        from tests.factories import LocationFactory, LocationPlannerFactory, UserFactory

        monkeypatch.setattr(views, "STAFF_LIST_LIMIT", 2)
        for number in range(3):
            location = LocationFactory(organisation=world.a.org, name=f"Locatie {number}")
            LocationPlannerFactory(location=location, user=UserFactory(email=f"planner{number}@example.test"))
        page = admin.get(url("staff", world))
        assert len(page.context["planners"]) == 2 and page.context["more_planners"]
        assert "Alleen de eerste 2 staan hier" in page.content.decode()
        found = admin.get(url("staff", world), {"q": "planner2@example"})
        assert [p.user.email for p in found.context["planners"]] == ["planner2@example.test"]
        assert not found.context["more_planners"]
        assert "Alleen de eerste" not in found.content.decode()

    def test_another_organisations_staff_stay_out_of_every_search(self, admin, world):
        page = admin.get(url("staff", world), {"q": "olga"}).content.decode()
        assert "olga@example.test" not in page
        page = admin.get(url("staff", world), {"q": "pim", "location": world.b.centrum.pk}).content.decode()
        assert "pim@example.test" not in page

    @pytest.mark.parametrize(
        "query",
        [
            {"q": "a\x00b"},
            {"q": "x" * 5000},
            {"location": "99999999999999999999999"},
            {"page": "-1"},
            {"page": "9" * 40},
        ],
    )
    def test_odd_input_gives_a_page(self, admin, world, query):
        assert admin.get(url("staff", world), query).status_code == 200


def scheduled(group, day) -> dict[str, int]:
    """Professionals per day part of `group` on `day`, read as the planner's verdicts read them."""
    snapshot = Snapshot([group], [day])
    return {part: snapshot.scheduled(group, day, part) for part in ("morning", "afternoon")}


class TestRoster:
    def test_weekly_pattern_and_an_exception(self, client, world):
        login(client, world.paula)
        roster = reverse("backoffice:roster", args=[world.a.centrum.pk])
        data = {"save_pattern": "1", f"p-{world.a.babies.pk}-2-morning": "2", f"p-{world.a.babies.pk}-2-afternoon": "1"}
        assert client.post(roster, data).status_code == 302
        assert scheduled(world.a.babies, TODAY) == {"morning": 2, "afternoon": 1}
        client.post(
            roster,
            {
                "add_exception": "1",
                "group": world.a.babies.pk,
                "date": TODAY.isoformat(),
                "day_part": "morning",
                "professionals": "3",
                "note": "stagiair",
            },
        )
        assert scheduled(world.a.babies, TODAY)["morning"] == 3
        next_week = TODAY + dt.timedelta(days=7)
        assert scheduled(world.a.babies, next_week)["morning"] == 2
        assert RosterPattern.objects.count() == 10  # every day part of the week of Baby's is stored

    def test_wrong_numbers_save_nothing(self, client, world):
        login(client, world.paula)
        roster = reverse("backoffice:roster", args=[world.a.centrum.pk])
        client.post(roster, {"save_pattern": "1", f"p-{world.a.babies.pk}-2-morning": "veel"})
        assert not RosterPattern.objects.filter(group=world.a.babies).exists()

    def test_a_group_of_another_location_cannot_get_an_exception(self, client, world):
        login(client, world.paula)
        roster = reverse("backoffice:roster", args=[world.a.centrum.pk])
        response = client.post(
            roster,
            {
                "add_exception": "1",
                "group": world.a.bso.pk,
                "date": TODAY.isoformat(),
                "day_part": "morning",
                "professionals": "3",
            },
        )
        assert response.status_code == 400 and not RosterException.objects.exists()


def test_history_shows_only_this_organisations_changes(admin, world):
    from portal.core.audit import audit_record

    audit_record(organisation=world.b.org, actor=world.oscar, action="x", summary="Geheim van Regenboog")
    admin.post(
        url("guardian_add", world, child_id=world.mo.pk),
        {"email": "t@example.test", "full_name": "T", "relation": "parent"},
    )
    page = admin.get(url("history", world)).content.decode()
    assert "t@example.test" in page and "Geheim van Regenboog" not in page
    assert "Adam Beheer" in page


def test_pending_invitations_are_not_doubled_by_a_new_child(admin, world, committed):
    """A guardian already invited who gets a second child is not invited twice."""
    with committed():
        admin.post(
            url("child_create", world), new_child_form(world, start_date=(TODAY + dt.timedelta(days=10)).isoformat())
        )
    with committed():
        admin.post(
            url("child_create", world),
            new_child_form(
                world,
                first_name="Zus",
                external_id="78",
                guardian2_email="",
                guardian2_name="",
                start_date=(TODAY + dt.timedelta(days=10)).isoformat(),
            ),
        )
    assert Invitation.objects.filter(user__email="moeder@example.test").count() == 1


def test_editing_a_child_changes_consent_through_consent_change(admin, world):
    from portal.children.services import child_update

    Child.objects.filter(pk=world.lin.pk).update(photo_consent=True)
    data = {"first_name": "Lien", "last_name": "Test", "birth_date": "2026-01-05", "allergies": "", "notes": ""}
    data["external_id"] = ""
    assert admin.post(url("child_edit", world, child_id=world.lin.pk), data).status_code == 302  # consent unticked
    world.lin.refresh_from_db()
    assert (world.lin.first_name, world.lin.photo_consent) == ("Lien", False)
    assert AuditEntry.objects.get(action="child.updated").changes == {"first_name": ["Lin", "Lien"]}
    consent = AuditEntry.objects.get(action="child.consent.changed")
    assert consent.changes["photo_consent"] == [True, False] and consent.changes["source"] == "backoffice"
    admin.post(url("child_edit", world, child_id=world.lin.pk), data)  # the same again: nothing recorded
    assert AuditEntry.objects.filter(action__startswith="child.").count() == 2
    with pytest.raises(TypeError):
        child_update(child=world.lin, actor=world.adam, photo_consent=True)


@pytest.mark.parametrize("value", [None, "", "2", 1])
def test_the_plain_select_writes_what_djangos_select_writes(value):
    from django import forms
    from django.test.html import parse_html

    from portal.backoffice.forms import PlainSelect

    choices = [("", "Kies"), (1, "A & B"), ("Noord", [(2, "<c>"), (3, "d")])]
    attrs = {"id": "id_group", "required": True, "aria-describedby": "id_group_error"}
    expected = forms.Select(choices=choices).render("group", value, attrs)
    assert parse_html(PlainSelect(choices=choices).render("group", value, attrs)) == parse_html(expected)
