"""Absences, swaps, extra days and credits at the edges of every rule (docs/domain.md, same section)."""

import datetime as dt

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.urls import reverse

from portal.core import clock
from portal.organisations.models import ClosingDay, RosterPattern
from portal.planning import selectors, services
from portal.planning.models import Absence, Credit, PlanningRequest
from tests.conftest import TODAY, login
from tests.factories import PlacementFactory

MONDAY = dt.date(2026, 11, 30)
TUESDAY = dt.date(2026, 12, 1)
FRIDAY = dt.date(2026, 11, 27)


def roster(group, professionals):
    for weekday in range(5):
        for part in ("morning", "afternoon"):
            RosterPattern.objects.update_or_create(
                group=group, weekday=weekday, day_part=part, defaults={"professionals": professionals}
            )


def report(world, day, at, **kwargs):
    with clock.frozen(at):
        return services.absence_report(user=world.anna, child=world.bo, day=day, reason="sick", **kwargs)


class TestCreditDeadline:
    """Bo comes on Mondays: the deadline for Monday 30 November is Sunday 29 November 12:00."""

    def test_1159_the_day_before_earns_a_credit(self, world):
        result = report(world, MONDAY, dt.datetime(2026, 11, 29, 11, 59, 59))
        assert result.absence.in_time and result.credit is not None
        assert result.credit.expires_on == MONDAY + dt.timedelta(days=365)

    def test_1200_the_day_before_earns_none(self, world):
        result = report(world, MONDAY, dt.datetime(2026, 11, 29, 12, 0))
        assert not result.absence.in_time and result.credit is None
        assert Absence.objects.filter(child=world.bo, date=MONDAY).exists()  # registered all the same

    def test_on_the_day_itself_earns_none(self, world):
        assert report(world, MONDAY, dt.datetime(2026, 11, 30, 7, 30)).credit is None

    def test_afterwards_is_refused(self, world):
        with pytest.raises(ValidationError, match="voorbij|passed"):
            report(world, MONDAY, dt.datetime(2026, 12, 1, 9, 0))

    def test_the_deadline_follows_the_organisations_settings(self, world):
        world.a.org.credit_deadline_hour = 9
        world.a.org.credit_deadline_days_before = 2
        world.a.org.save()
        assert report(world, MONDAY, dt.datetime(2026, 11, 28, 8, 59)).credit is not None

    def test_the_preview_says_it_before_sending(self, world):
        with clock.frozen(dt.datetime(2026, 11, 29, 11, 0)):
            text = services.credit_preview(world.a.org, MONDAY)
        assert text == "Gemeld vóór zondag 29 november 12:00: ja, deze afmelding levert een tegoed op."
        with clock.frozen(dt.datetime(2026, 11, 29, 12, 0)):
            text = services.credit_preview(world.a.org, MONDAY)
        assert text == "Gemeld na zondag 29 november 12:00: deze afmelding levert geen tegoed op."

    @pytest.mark.parametrize(
        ("day", "in_time_utc", "late_utc"),
        [
            # Summer time starts on Sunday 29 March 2026: the deadline Monday 30 March 12:00 is 10:00 UTC.
            (
                dt.date(2026, 3, 31),
                dt.datetime(2026, 3, 30, 9, 59, tzinfo=dt.UTC),
                dt.datetime(2026, 3, 30, 10, 0, tzinfo=dt.UTC),
            ),
            # Winter time starts on Sunday 25 October 2026: Sunday 12:00 is then 11:00 UTC.
            (
                dt.date(2026, 10, 26),
                dt.datetime(2026, 10, 25, 10, 59, tzinfo=dt.UTC),
                dt.datetime(2026, 10, 25, 11, 0, tzinfo=dt.UTC),
            ),
        ],
    )
    def test_daylight_saving_changes(self, world, day, in_time_utc, late_utc):
        kid = world.mo if day.weekday() == 1 else world.bo
        with clock.frozen(in_time_utc):
            assert services.earns_credit(world.a.org, day, clock.now())
            result = services.absence_report(user=world.anna, child=kid, day=day, reason="holiday")
            assert result.credit is not None
        with clock.frozen(late_utc):
            assert not services.earns_credit(world.a.org, day, clock.now())


class TestWhatCanBeReported:
    def test_only_planned_days(self, world):
        with pytest.raises(ValidationError, match="ingeplande|planned"):
            services.absence_report(user=world.anna, child=world.bo, day=TUESDAY, reason="sick")

    def test_not_on_a_closing_day(self, world):
        ClosingDay.objects.create(location=world.a.centrum, date=MONDAY, name="Studiedag")
        with pytest.raises(ValidationError, match="Studiedag"):
            services.absence_report(user=world.anna, child=world.bo, day=MONDAY, reason="sick")

    def test_not_before_the_placement_starts(self, world):
        with pytest.raises(ValidationError, match="15 december 2026"):
            services.absence_report(user=world.carla, child=world.fien, day=dt.date(2026, 12, 21), reason="sick")

    def test_not_after_the_last_day(self, world):
        world.bo_placement.end_date = MONDAY
        world.bo_placement.save()
        services.absence_report(user=world.anna, child=world.bo, day=MONDAY, reason="sick")  # the last day: fine
        with pytest.raises(ValidationError):
            services.absence_report(user=world.anna, child=world.bo, day=dt.date(2026, 12, 2), reason="sick")

    def test_not_for_someone_elses_child(self, world):
        with pytest.raises(ValidationError):
            services.absence_report(user=world.bert, child=world.bo, day=MONDAY, reason="sick")

    def test_the_same_report_twice_is_one(self, world):
        first = services.absence_report(user=world.anna, child=world.bo, day=MONDAY, reason="sick")
        second = services.absence_report(user=world.anna, child=world.bo, day=MONDAY, reason="sick")
        assert first.created and not second.created and second.absence == first.absence
        assert Credit.objects.count() == 1


class TestSwaps:
    def test_a_swap_waits_for_the_planner_and_earns_no_credit_meanwhile(self, world):
        result = services.absence_report(
            user=world.anna, child=world.bo, day=MONDAY, reason="holiday", swap_day=TUESDAY
        )
        assert result.swap.state == "pending" and result.swap.day_parts == ["morning", "afternoon"]
        assert result.credit is None

    def test_approved_swap_puts_the_child_on_the_other_day(self, world, committed):
        roster(world.a.babies, 1)
        result = services.absence_report(
            user=world.anna, child=world.bo, day=MONDAY, reason="holiday", swap_day=TUESDAY
        )
        with committed():
            services.request_decide(planner=world.paula, request=result.swap, approve=True)
        expected = selectors.expected_on([world.a.babies], TUESDAY)[world.a.babies.pk]
        assert world.bo.pk in expected and expected[world.bo.pk].source == "swap"
        assert world.bo.pk not in selectors.expected_on([world.a.babies], MONDAY)[world.a.babies.pk]
        assert [m.to for m in mail.outbox] == [["anna@example.test"]]
        assert "goedgekeurd" in mail.outbox[0].subject.lower() or "approved" in mail.outbox[0].subject.lower()

    def test_a_rejected_swap_leaves_the_absence_with_its_credit(self, world):
        result = services.absence_report(
            user=world.anna, child=world.bo, day=MONDAY, reason="holiday", swap_day=TUESDAY
        )
        services.request_decide(planner=world.paula, request=result.swap, approve=False, note="vol")
        assert Absence.objects.get(pk=result.absence.pk).credit.state == "available"

    def test_a_rejected_late_swap_earns_nothing(self, world):
        with clock.frozen(dt.datetime(2026, 11, 29, 12, 0)):
            result = services.absence_report(
                user=world.anna, child=world.bo, day=MONDAY, reason="holiday", swap_day=TUESDAY
            )
            services.request_decide(planner=world.paula, request=result.swap, approve=False)
        assert not Credit.objects.exists()

    def test_not_to_a_day_the_child_comes_anyway(self, world):
        with pytest.raises(ValidationError, match="al|already"):
            services.absence_report(
                user=world.anna, child=world.bo, day=MONDAY, reason="holiday", swap_day=dt.date(2026, 12, 2)
            )


def earn_credits(world, count):
    mondays = [MONDAY + dt.timedelta(weeks=n) for n in range(count)]
    for day in mondays:
        services.absence_report(user=world.anna, child=world.bo, day=day, reason="holiday")
    return mondays


class TestExtraDaysAndCredits:
    def test_paid_with_the_oldest_credit_and_spent_on_approval(self, world):
        roster(world.a.babies, 2)
        earn_credits(world, 2)
        oldest = Credit.objects.order_by("expires_on").first()
        request, created = services.extra_day_request(
            user=world.anna, child=world.bo, day=TUESDAY, day_parts=["morning"], pay_with_credit=True
        )
        oldest.refresh_from_db()
        assert created and oldest.state == "reserved" and oldest.request == request
        assert selectors.credit_balance(world.bo, TODAY) == {"dagopvang": 1}
        services.request_decide(planner=world.paula, request=request, approve=True)
        oldest.refresh_from_db()
        assert oldest.state == "spent"
        assert [e.kind for e in oldest.events.all()] == ["earned", "reserved", "spent"]

    def test_rejected_or_withdrawn_gives_the_credit_back(self, world):
        earn_credits(world, 1)
        request, _ = services.extra_day_request(
            user=world.anna, child=world.bo, day=TUESDAY, day_parts=["morning"], pay_with_credit=True
        )
        services.request_decide(planner=world.paula, request=request, approve=False)
        assert selectors.credit_balance(world.bo, TODAY) == {"dagopvang": 1}
        request, _ = services.extra_day_request(
            user=world.anna, child=world.bo, day=dt.date(2026, 12, 3), day_parts=["morning"], pay_with_credit=True
        )
        services.request_withdraw(user=world.anna, request=request)
        assert selectors.credit_balance(world.bo, TODAY) == {"dagopvang": 1}
        assert [e.kind for e in Credit.objects.get().events.all()] == [
            "earned",
            "reserved",
            "returned",
            "reserved",
            "returned",
        ]

    def test_a_credit_is_never_spent_twice(self, world):
        earn_credits(world, 1)
        services.extra_day_request(
            user=world.anna, child=world.bo, day=TUESDAY, day_parts=["morning"], pay_with_credit=True
        )
        with pytest.raises(ValidationError, match="tegoed|credit"):
            services.extra_day_request(
                user=world.anna, child=world.bo, day=dt.date(2026, 12, 3), day_parts=["morning"], pay_with_credit=True
            )
        assert not PlanningRequest.objects.filter(date=dt.date(2026, 12, 3)).exists()  # nothing half made

    def test_the_same_request_twice_is_one(self, world):
        first, created = services.extra_day_request(
            user=world.anna, child=world.bo, day=TUESDAY, day_parts=["morning"], pay_with_credit=False
        )
        second, created_again = services.extra_day_request(
            user=world.anna, child=world.bo, day=TUESDAY, day_parts=["morning"], pay_with_credit=False
        )
        assert created and not created_again and first == second

    def test_a_credit_of_daycare_does_not_pay_for_bso(self, world):
        earn_credits(world, 1)
        kid = PlacementFactory(
            group=world.a.bso,
            weekdays=(0,),
            parts=("afternoon",),
            child__birth_date=dt.date(2019, 1, 1),
            child__guardians=[world.anna],
        ).child
        from portal.access.roles import forget_roles

        forget_roles(world.anna)
        with pytest.raises(ValidationError):
            services.extra_day_request(
                user=world.anna, child=kid, day=TUESDAY, day_parts=["afternoon"], pay_with_credit=True
            )

    def test_the_last_valid_day_of_a_credit(self, world):
        [day] = earn_credits(world, 1)
        last = day + dt.timedelta(days=365)
        assert selectors.credit_balance(world.bo, last) == {"dagopvang": 1}
        assert selectors.credit_balance(world.bo, last + dt.timedelta(days=1)) == {}  # right before the daily job too
        call_command("run_daily", "--date", (last + dt.timedelta(days=1)).isoformat())
        assert Credit.objects.get().state == "expired"

    def test_credits_are_void_when_the_placement_ends(self, world):
        earn_credits(world, 2)
        world.bo_placement.end_date = dt.date(2027, 1, 31)
        world.bo_placement.save()
        assert selectors.credit_balance(world.bo, dt.date(2027, 1, 31)) == {"dagopvang": 2}
        assert selectors.credit_balance(world.bo, dt.date(2027, 2, 1)) == {}
        call_command("run_daily", "--date", "2027-02-01")
        assert set(Credit.objects.values_list("state", flat=True)) == {"void"}


class TestThePlannersDecision:
    def test_does_not_fit_when_too_few_professionals(self, world):
        roster(world.a.babies, 1)
        # Wednesday: Bo and Lin (babies). Two more babies ask for an extra Wednesday.
        requests = []
        for name in ("Ada", "Bob"):
            kid = PlacementFactory(
                group=world.a.babies,
                start_date=dt.date(2026, 9, 1),
                weekdays=(0,),
                child__first_name=name,
                child__birth_date=dt.date(2026, 5, 1),
                child__guardians=[world.anna],
            ).child
            from portal.access.roles import forget_roles

            forget_roles(world.anna)
            request, _ = services.extra_day_request(
                user=world.anna, child=kid, day=dt.date(2026, 12, 2), day_parts=["morning"], pay_with_credit=False
            )
            requests.append(request)
        first = selectors.verdict_for(world.a.babies, dt.date(2026, 12, 2), ["morning"], requests[0].child)
        assert first.fits and first.parts[0].counts == (3, 0, 0, 0)
        services.request_decide(planner=world.paula, request=requests[0], approve=True)
        second = selectors.verdict_for(world.a.babies, dt.date(2026, 12, 2), ["morning"], requests[1].child)
        assert not second.fits and "2" in second.reason and "1" in second.reason
        with pytest.raises(services.DecisionError, match="Past niet meer: 2 medewerkers nodig, 1 ingeroosterd"):
            services.request_decide(planner=world.paula, request=requests[1], approve=True)
        assert PlanningRequest.objects.get(pk=requests[1].pk).state == "pending"

    def test_decided_twice_is_told(self, world):
        roster(world.a.babies, 2)
        request, _ = services.extra_day_request(
            user=world.anna, child=world.bo, day=TUESDAY, day_parts=["morning"], pay_with_credit=False
        )
        services.request_decide(planner=world.paula, request=request, approve=True)
        with pytest.raises(services.DecisionError):
            services.request_decide(planner=world.paula, request=request, approve=False)

    def test_only_planners_of_the_location(self, world):
        request, _ = services.extra_day_request(
            user=world.anna, child=world.bo, day=TUESDAY, day_parts=["morning"], pay_with_credit=False
        )
        with pytest.raises(services.DecisionError):
            services.request_decide(planner=world.pim, request=request, approve=False)

    def test_a_closing_day_never_fits(self, world):
        roster(world.a.babies, 3)
        ClosingDay.objects.create(location=world.a.centrum, date=TUESDAY, name="Kerst")
        verdict = selectors.verdict_for(world.a.babies, TUESDAY, ["morning"], world.bo)
        assert not verdict.fits and "Kerst" in verdict.reason


class TestPages:
    def test_calendar_report_and_queue(self, client, world, committed):
        roster(world.a.babies, 2)
        login(client, world.anna)
        page = client.get(reverse("planning:calendar", args=[world.bo.pk]))
        assert page.status_code == 200
        assert 'value="2026-11-30"' in page.content.decode()  # Monday 30 November can be reported
        response = client.post(
            reverse("planning:absence_report", args=[world.bo.pk]),
            {
                "absence-day": MONDAY.isoformat(),
                "absence-reason": "sick",
                "absence-what": "swap",
                "absence-swap_day": TUESDAY.isoformat(),
            },
        )
        assert response.status_code == 302
        login(client, world.paula)
        queue = client.get(reverse("planning:queue")).content.decode()
        assert "Bo Test" in queue and 'class="verdict fits"><strong>Past</strong>' in queue
        request = PlanningRequest.objects.get()
        with committed():
            client.post(reverse("planning:decide", args=[request.pk]), {"decision": "approve", "note": "Tot dan!"})
        assert PlanningRequest.objects.get().state == "approved"
        login(client, world.anna)
        assert "goedgekeurd" in client.get(reverse("planning:calendar", args=[world.bo.pk])).content.decode()

    def test_a_bad_form_is_explained(self, client, world):
        login(client, world.anna)
        response = client.post(
            reverse("planning:absence_report", args=[world.bo.pk]),
            {"absence-day": MONDAY.isoformat(), "absence-reason": "sick", "absence-what": "swap"},
        )
        assert response.status_code == 400 and not Absence.objects.exists()

    def test_before_the_start_no_forms_but_the_date(self, client, world):
        login(client, world.carla)
        page = client.get(reverse("planning:calendar", args=[world.fien.pk])).content.decode()
        assert "15 december 2026" in page and "absence-day" not in page

    def test_calendar_feed_and_revoking_it(self, client, world):
        login(client, world.anna)
        client.post(reverse("planning:feed_create", args=[world.bo.pk]))
        from portal.planning.models import CalendarFeed

        token = CalendarFeed.objects.get().token
        client.logout()
        feed = client.get(reverse("planning:feed", args=[token]))
        body = feed.content.decode()
        assert feed["Content-Type"].startswith("text/calendar") and body.startswith("BEGIN:VCALENDAR")
        assert "DTSTART;VALUE=DATE:20261130" in body and "END:VCALENDAR" in body
        login(client, world.anna)
        client.post(reverse("planning:feed_revoke", args=[world.bo.pk]))
        client.logout()
        assert client.get(reverse("planning:feed", args=[token])).status_code == 404

    def test_day_view_for_planner_and_staff(self, client, world):
        roster(world.a.babies, 1)
        login(client, world.sanne)
        page = client.get(reverse("planning:day", args=[world.a.centrum.pk])).content.decode()
        assert "Bo Test" in page and "Lin Test" in page
        login(client, world.anna)
        assert client.get(reverse("planning:day", args=[world.a.centrum.pk])).status_code == 403

    def test_queue_queries_do_not_grow(self, client, world):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        roster(world.a.babies, 2)
        login(client, world.paula)

        def count():
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("planning:queue")).status_code == 200
            return len(queries)

        services.extra_day_request(
            user=world.anna, child=world.bo, day=TUESDAY, day_parts=["morning"], pay_with_credit=False
        )
        one = count()
        for day, kid in [
            (dt.date(2026, 12, 3), world.bo),
            (dt.date(2026, 12, 4), world.mo),
            (dt.date(2026, 12, 8), world.bo),
        ]:
            services.extra_day_request(
                user=world.anna, child=kid, day=day, day_parts=["morning"], pay_with_credit=False
            )
        assert count() == one  # the verdicts of a whole page are read at once

    def test_day_view_queries_do_not_grow(self, client, world):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        roster(world.a.babies, 2)
        login(client, world.paula)

        def count():
            with CaptureQueriesContext(connection) as queries:
                assert client.get(reverse("planning:day", args=[world.a.centrum.pk])).status_code == 200
            return len(queries)

        small = count()
        PlacementFactory.create_batch(20, group=world.a.toddlers, weekdays=(2,))
        login(client, world.paula)
        assert count() == small


class TestPlacementChanges:
    def test_a_move_keeps_credits_and_requests(self, world):
        from portal.children.services import placement_move

        roster(world.a.toddlers, 2)
        earn_credits(world, 1)
        request, _ = services.extra_day_request(
            user=world.anna, child=world.bo, day=dt.date(2026, 12, 15), day_parts=["morning"], pay_with_credit=True
        )
        new = placement_move(
            placement=world.bo_placement, actor=world.adam, group=world.a.toddlers, from_date=dt.date(2026, 12, 7)
        )
        request.refresh_from_db()
        assert request.placement == new and request.group == world.a.toddlers
        assert Credit.objects.get().placement == new
        call_command("run_daily", "--date", "2026-12-08")
        assert Credit.objects.get().state == "reserved"  # not voided by the move
        assert selectors.credit_balance(world.bo, dt.date(2026, 12, 8)) == {}  # the one credit is reserved

    def test_an_absence_counts_wherever_the_child_is(self, world):
        from portal.children.services import placement_move

        services.absence_report(user=world.anna, child=world.bo, day=dt.date(2026, 12, 14), reason="holiday")
        placement_move(
            placement=world.bo_placement, actor=world.adam, group=world.a.toddlers, from_date=dt.date(2026, 12, 7)
        )
        expected = selectors.expected_on([world.a.toddlers], dt.date(2026, 12, 14))[world.a.toddlers.pk]
        assert world.bo.pk not in expected

    def test_ending_a_placement_withdraws_later_requests_and_returns_credits(self, world):
        from portal.children.services import placement_end

        roster(world.a.babies, 2)
        earn_credits(world, 1)
        request, _ = services.extra_day_request(
            user=world.anna, child=world.bo, day=dt.date(2026, 12, 15), day_parts=["morning"], pay_with_credit=True
        )
        services.request_decide(planner=world.paula, request=request, approve=True)
        placement_end(placement=world.bo_placement, actor=world.adam, end_date=dt.date(2026, 12, 10))
        request.refresh_from_db()
        assert request.state == "withdrawn"
        assert world.bo.pk not in selectors.expected_on([world.a.babies], dt.date(2026, 12, 15))[world.a.babies.pk]

    def test_a_swap_onto_a_day_with_a_request_is_refused_not_a_crash(self, world):
        services.extra_day_request(
            user=world.anna, child=world.bo, day=TUESDAY, day_parts=["morning"], pay_with_credit=False
        )
        with pytest.raises(ValidationError, match="al een verzoek|already a request"):
            services.absence_report(user=world.anna, child=world.bo, day=MONDAY, reason="sick", swap_day=TUESDAY)
        assert not Absence.objects.exists()

    def test_bso_free_places_follow_the_location_ratio(self, client, world):
        # BSO Noord with nobody scheduled: no free places, whatever the group size limit allows.
        login(client, world.adam)
        summary = selectors.day_summary([world.a.bso], TODAY)
        assert summary[(world.a.bso.pk, "afternoon")].free_places == 0
        roster(world.a.bso, 1)
        summary = selectors.day_summary([world.a.bso], TODAY)
        assert summary[(world.a.bso.pk, "afternoon")].free_places == 10  # ceil(A/10) <= 1


def test_approve_all_asks_for_confirmation(client, world):
    roster(world.a.babies, 2)
    services.extra_day_request(
        user=world.anna, child=world.bo, day=TUESDAY, day_parts=["morning"], pay_with_credit=False
    )
    login(client, world.paula)
    client.post(reverse("planning:approve_all"))
    assert PlanningRequest.objects.get().state == "pending"
    client.post(reverse("planning:approve_all"), {"confirm": "yes"})
    assert PlanningRequest.objects.get().state == "approved"


# ---------------------------------------------------------------- the calendar to tap, a holiday


def test_tapping_a_planned_day_offers_its_absence_and_a_free_day_an_extra_day(client, world):
    login(client, world.anna)
    url = reverse("planning:calendar", args=[world.bo.pk])
    planned = client.get(url, {"month": "2026-11", "day": "2026-11-30"}).content.decode()
    assert 'id="day-panel"' in planned and "Deze dag afmelden" in planned
    assert 'name="absence-day" value="2026-11-30"' in planned and "levert" in planned
    free = client.get(url, {"month": "2026-11", "day": "2026-11-27"}).content.decode()  # a Friday: Bo does not come
    assert "Deze dag als extra dag aanvragen" in free and 'name="extra-day" value="2026-11-27"' in free
    past = client.get(url, {"month": "2026-11", "day": "2026-11-23"}).content.decode()
    assert "Deze dag is voorbij" in past and "Deze dag afmelden" not in past
    assert client.get(url, {"day": "nonsense"}).status_code == 200


def test_a_holiday_is_one_step_with_a_summary_per_day_of_what_earns_a_credit(client, world):
    login(client, world.anna)
    url = reverse("planning:absence_range", args=[world.bo.pk])
    # Today (Wednesday) is past its deadline (Tuesday 12:00); Monday 30 November is in time.
    form = {"range-first": "2026-11-25", "range-last": "2026-11-30", "range-reason": "holiday"}
    preview = client.post(url, form).content.decode()
    assert "afgemeld, te laat voor een tegoed" in preview and "afgemeld, levert een tegoed op" in preview
    assert preview.count("komt niet") == 4  # Thursday to Sunday
    assert "2 dagen afmelden" in preview and not Absence.objects.exists()
    response = client.post(url, {**form, "confirm": "yes"})
    assert response.status_code == 302
    assert sorted(Absence.objects.values_list("date", "in_time")) == [(TODAY, False), (MONDAY, True)]
    assert Credit.objects.filter(child=world.bo).count() == 1
    again = client.post(url, form).content.decode()  # the same range again: nothing left to report
    assert again.count("al afgemeld") == 2 and "komt op geen van deze dagen" in again


def test_a_holiday_range_is_checked(client, world):
    login(client, world.anna)
    url = reverse("planning:absence_range", args=[world.bo.pk])
    backwards = client.post(url, {"range-first": "2026-12-10", "range-last": "2026-12-01", "range-reason": "holiday"})
    assert backwards.status_code == 400 and "vóór de eerste dag" in backwards.content.decode()
    long = client.post(url, {"range-first": "2026-12-01", "range-last": "2027-03-01", "range-reason": "holiday"})
    assert long.status_code == 400 and "Hoogstens 62 dagen" in long.content.decode()
    past = client.post(url, {"range-first": "2026-11-20", "range-last": "2026-11-30", "range-reason": "holiday"})
    assert past.status_code == 400
    with pytest.raises(ValidationError):
        services.absence_report_range(
            user=world.anna, child=world.bo, first=dt.date(2026, 11, 26), last=dt.date(2026, 11, 29), reason="holiday"
        )
    assert not Absence.objects.exists()


def test_the_absence_form_offers_eight_weeks_ahead_whatever_month_the_calendar_shows(client, world):
    """The grid and the form come from one reading of the calendar over the days both span."""
    from portal.planning import selectors

    login(client, world.anna)
    url = reverse("planning:calendar", args=[world.bo.pk])
    expected = [day for day, _parts in selectors.upcoming_planned_days(world.bo, clock.today())]
    assert expected[0] >= clock.today() and expected[-1] > dt.date(2026, 12, 31)  # past the month shown
    for month in ("2026-11", "2026-10", "2027-03"):
        form = client.get(url, {"month": month}).context["absence_form"]
        assert [day for day, _label in form.fields["day"].choices] == [d.isoformat() for d in expected], month


def test_a_month_far_away_is_read_on_its_own_and_the_next_month_with_the_coming_weeks(client, world, monkeypatch):
    from portal.planning import selectors, views

    spans = []
    real = selectors.child_calendar

    def recording(child, first, last):
        spans.append((first, last))
        return real(child, first, last)

    monkeypatch.setattr(views.selectors, "child_calendar", recording)
    login(client, world.anna)
    url = reverse("planning:calendar", args=[world.bo.pk])
    for month, readings in (("2026-12", 1), ("2026-11", 1), ("1900-01", 2), ("2125-12", 2), ("2027-06", 2)):
        spans.clear()
        response = client.get(url, {"month": month})
        assert response.status_code == 200 and len(spans) == readings, month
        assert all((last - first).days <= 8 * 7 + 31 + 12 for first, last in spans), (month, spans)
        assert response.context["absence_form"].fields["day"].choices  # the coming weeks, whatever the month
