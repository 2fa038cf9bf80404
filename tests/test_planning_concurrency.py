"""Two planners approving the last free place at the same moment: one wins, the other is told
why. Needs real concurrent transactions, so it runs on PostgreSQL (CI runs the suite there)."""

import datetime as dt
import threading
import time

import pytest
from django.db import connection

from portal.access.roles import forget_roles
from portal.children.models import Guardian
from portal.core.scoping import in_organisations
from portal.organisations.models import LocationPlanner, RosterPattern
from portal.planning import selectors, services
from portal.planning.models import PlanningRequest
from tests.conftest import child, make_user
from tests.factories import place

pytestmark = pytest.mark.django_db(transaction=True)

WEDNESDAY = dt.date(2026, 12, 2)


def test_the_last_free_place_goes_to_one_request(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent transactions are tested on PostgreSQL")
    # Both decisions take their time between reading the group and writing the approval, so
    # without the lock both would see a free place.
    original = selectors.verdict_for

    def slow_verdict(*args, **kwargs):
        verdict = original(*args, **kwargs)
        time.sleep(0.5)
        return verdict

    monkeypatch.setattr(selectors, "verdict_for", slow_verdict)
    RosterPattern.objects.create(group=world.a.babies, weekday=2, day_part="morning", professionals=1)
    # Wednesday morning: Bo and Lin, two babies; one professional takes three.
    requests = []
    for name in ("Ada", "Bob"):
        kid = child(world.a.org, name, dt.date(2026, 5, 1))
        place(kid, world.a.babies, dt.date(2026, 9, 1), weekdays=(0,))
        Guardian.objects.create(user=world.anna, child=kid)
        forget_roles(world.anna)
        request, _ = services.extra_day_request(
            user=world.anna, child=kid, day=WEDNESDAY, day_parts=["morning"], pay_with_credit=False
        )
        requests.append(request)
    second_planner = make_user("peter@example.test", "Peter Planner")
    LocationPlanner.objects.create(user=second_planner, location=world.a.centrum)

    barrier = threading.Barrier(2)
    outcomes = {}

    def decide(planner, request):
        try:
            barrier.wait(timeout=10)
            # A thread starts without the test's scope; each planner works in their organisation's.
            with in_organisations([world.a.org.pk]):
                services.request_decide(planner=planner, request=request, approve=True)
            outcomes[request.pk] = "approved"
        except services.DecisionError as error:
            outcomes[request.pk] = str(error)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=decide, args=(world.paula, requests[0])),
        threading.Thread(target=decide, args=(second_planner, requests[1])),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    states = sorted(PlanningRequest.objects.filter(pk__in=[r.pk for r in requests]).values_list("state", flat=True))
    assert states == ["approved", "pending"]
    [told] = [text for text in outcomes.values() if text != "approved"]
    assert "1" in told and "2" in told  # "does not fit any more: 2 needed, 1 scheduled"
