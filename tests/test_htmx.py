"""htmx where a full reload is clumsy: the planner decides on one request and only its card
changes. Without JavaScript (no HX-Request header) the same form posts and the page reloads,
as before; the content security policy stays as strict as without htmx."""

import datetime as dt

from django.contrib.staticfiles import finders
from django.urls import reverse

from portal.planning import services
from portal.planning.models import PlanningRequest
from tests.conftest import login
from tests.test_planning import TUESDAY, roster

HTMX = {"HTTP_HX_REQUEST": "true"}


def extra_day(world, child=None, day=TUESDAY):
    request, _ = services.extra_day_request(
        user=world.anna, child=child or world.bo, day=day, day_parts=["morning"], pay_with_credit=False
    )
    return request


def decide(client, request, decision="approve", **headers):
    return client.post(reverse("planning:decide", args=[request.pk]), {"decision": decision, "note": ""}, **headers)


class TestTheQueueWithHtmx:
    def test_with_htmx_only_the_card_comes_back(self, client, world):
        roster(world.a.babies, 2)
        request = extra_day(world)
        login(client, world.paula)
        response = decide(client, request, **HTMX)
        assert response.status_code == 200
        page = response.content.decode()
        assert "<html" not in page and f'id="request-{request.pk}"' in page
        assert 'role="status">Goedgekeurd.</p>' in page
        assert "Vary" in response and "HX-Request" in response["Vary"]
        assert PlanningRequest.objects.get().state == "approved"
        # That was the last open request: the page says so and its "approve all" form goes.
        assert "Geen openstaande verzoeken" in page and '<form id="approve-all" hx-swap-oob="delete">' in page
        # Nothing is left behind for the next full page.
        assert "Goedgekeurd." not in client.get(reverse("planning:queue")).content.decode()

    def test_without_htmx_the_page_reloads_as_before(self, client, world):
        roster(world.a.babies, 2)
        request = extra_day(world)
        login(client, world.paula)
        response = decide(client, request, decision="reject")
        assert response.status_code == 302 and response["Location"] == reverse("planning:queue")
        page = client.get(reverse("planning:queue")).content.decode()
        assert "<html" in page and "Afgewezen." in page and "Geen openstaande verzoeken" in page
        assert PlanningRequest.objects.get().state == "rejected"

    def test_other_requests_stay_and_the_queue_is_not_called_empty(self, client, world):
        roster(world.a.babies, 2)
        first, second = extra_day(world), extra_day(world, day=dt.date(2026, 12, 8))
        login(client, world.paula)
        page = decide(client, first, decision="reject", **HTMX).content.decode()
        assert "Afgewezen." in page and "Geen openstaande verzoeken" not in page and "hx-swap-oob" not in page
        assert PlanningRequest.objects.get(pk=second.pk).state == "pending"

    def test_a_request_that_no_longer_fits_comes_back_open_with_the_reason(self, client, world):
        request = extra_day(world)  # no professionals scheduled: it does not fit
        login(client, world.paula)
        page = decide(client, request, **HTMX).content.decode()
        assert 'role="alert">Past niet meer:' in page
        assert 'class="verdict nofit"' in page and 'hx-post="' in page  # the fresh verdict and the form
        assert "Geen openstaande verzoeken" not in page
        assert PlanningRequest.objects.get().state == "pending"

    def test_decided_elsewhere_meanwhile_is_told_in_the_card(self, client, world):
        roster(world.a.babies, 2)
        request = extra_day(world)
        services.request_decide(planner=world.paula, request=request, approve=True)
        login(client, world.paula)
        page = decide(client, request, decision="reject", **HTMX).content.decode()
        assert 'class="message error" role="status">' in page and "Over dit verzoek is al beslist: goedgekeurd." in page
        assert PlanningRequest.objects.get().state == "approved"

    def test_it_checks_ownership(self, client, world):
        request = extra_day(world)
        login(client, world.pim)
        assert decide(client, request, **HTMX).status_code == 404
        assert PlanningRequest.objects.get().state == "pending"

    def test_the_queue_page_marks_each_card_and_keeps_the_plain_form(self, client, world):
        request = extra_day(world)
        login(client, world.paula)
        page = client.get(reverse("planning:queue")).content.decode()
        action = reverse("planning:decide", args=[request.pk])
        assert f'<form method="post" action="{action}" class="decision" hx-post="{action}"' in page
        assert f'hx-target="#request-{request.pk}"' in page and 'id="approve-all"' in page


def test_pages_load_the_htmx_that_django_htmx_ships_without_loosening_the_policy(client, world):
    login(client, world.anna)
    response = client.get(reverse("home:home"))
    page = response.content.decode()
    assert '<script src="/static/django_htmx/htmx-2.min.js" defer></script>' in page
    assert '"includeIndicatorStyles": false' in page and '"allowEval": false' in page
    policy = response["Content-Security-Policy"]
    assert "script-src 'self';" in policy and "style-src 'self';" in policy and "unsafe" not in policy
    assert finders.find("django_htmx/htmx-2.min.js")  # the copy in the django-htmx wheel, no CDN
