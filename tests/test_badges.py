"""The unread counts on the tabs and the bell are kept in the login's session for
BADGE_SECONDS: the person's own reading shows at once, others' news within the window."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.contrib.sessions.backends.db import SessionStore
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.core import clock
from portal.messaging import services as messaging_services
from portal.messaging.models import Thread
from portal.notifications import badges
from portal.notifications.models import Kind
from portal.notifications.services import Text, notify
from tests.conftest import login
from tests.test_messaging import staff_reply, start

pytestmark = pytest.mark.keep_badges


def seen(client, name="home:home") -> tuple[int, int]:
    """(the Messages tab's count, the bell's count) on a page; 0 where no badge shows."""
    html = client.get(reverse(name)).content.decode()
    tab = re.search(r'id="nav-unread-messages">(\d+)<', html)
    bell = re.search(r'id="nav-unread-notifications">(\d+)<', html)
    return int(tab.group(1)) if tab else 0, int(bell.group(1)) if bell else 0


def counting_queries(client) -> int:
    """How many of a page's queries count unread messages or notifications."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("news:list")).status_code == 200
    return sum(
        "COUNT(" in q["sql"] and ("messaging_message" in q["sql"] or "notifications_" in q["sql"]) for q in queries
    )


def later(seconds: float) -> None:
    clock.freeze(clock.now() + dt.timedelta(seconds=seconds))


def test_the_badges_are_counted_once_in_the_window_and_again_at_its_end(client, world):
    login(client, world.anna)
    assert counting_queries(client) >= 1
    assert counting_queries(client) == 0
    later(badges.BADGE_SECONDS - 1)
    assert counting_queries(client) == 0  # the last second of the window
    later(1)
    assert counting_queries(client) >= 1  # BADGE_SECONDS after counting: counted again
    assert counting_queries(client) == 0


def test_a_message_from_the_group_shows_within_the_window(client, world):
    thread = start(world)
    login(client, world.anna)
    assert seen(client) == (0, 0)
    staff_reply(world, thread)
    notify(users=[world.anna], kind=Kind.MESSAGE, key="m:1", render=lambda u: Text("Nieuw bericht", "…", "/"))
    assert seen(client) == (0, 0)  # kept from a moment ago
    later(badges.BADGE_SECONDS)
    assert seen(client) == (1, 1)


def test_reading_the_conversation_clears_the_badge_at_once(client, world):
    thread = start(world)
    staff_reply(world, thread)
    login(client, world.anna)
    assert seen(client)[0] == 1
    assert client.get(reverse("messaging:thread", args=[thread.pk])).status_code == 200
    assert seen(client)[0] == 0  # within the window, and no time passed


def test_marking_everything_read_with_a_form_that_redirects_clears_the_bell_at_once(client, world):
    login(client, world.anna)
    notify(users=[world.anna], kind=Kind.MESSAGE, key="m:2", render=lambda u: Text("Nieuw bericht", "…", "/"))
    assert seen(client)[1] == 1
    response = client.post(reverse("notifications:read_all"))
    assert response.status_code == 302
    assert seen(client)[1] == 0


def test_the_notifications_page_itself_always_counts_afresh(client, world):
    login(client, world.anna)
    assert seen(client) == (0, 0)
    notify(users=[world.anna], kind=Kind.MESSAGE, key="m:3", render=lambda u: Text("Nieuw bericht", "…", "/"))
    html = client.get(reverse("notifications:list")).content.decode()
    assert "1 ongelezen" in html


def test_counts_kept_for_one_person_are_not_anothers_on_a_shared_session(world):
    """A group tablet's session is shared by its colleagues: the kept counts name their owner."""
    start(world)
    request = RequestFactory().get("/")
    request.session = SessionStore()
    assert badges.counts(request, world.sanne)[0] == 1  # the family's message, unread for staff
    assert request.session[badges.SESSION_KEY]["user"] == world.sanne.pk
    assert badges.counts(request, world.anna)[0] == 0  # counted for Anna, not Sanne's kept count
    assert request.session[badges.SESSION_KEY]["user"] == world.anna.pk


def test_changed_makes_the_next_page_count_again(world):
    thread = start(world)
    request = RequestFactory().get("/")
    request.session = SessionStore()
    assert badges.counts(request, world.sanne)[0] == 1
    messaging_services.thread_mark_read(user=world.sanne, thread=Thread.objects.get(pk=thread.pk))
    assert badges.counts(request, world.sanne)[0] == 0  # the same person object read it


def test_opening_a_conversation_with_nothing_new_keeps_the_counts(client, world):
    thread = start(world)
    staff_reply(world, thread)
    login(client, world.anna)
    url = reverse("messaging:thread", args=[thread.pk])
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200  # reads the reply, then shows the page: counted again
    assert any("COUNT(" in q["sql"] and "messaging_message" in q["sql"] for q in queries)
    assert seen(client)[0] == 0 and counting_queries(client) == 0  # and kept from there
    assert client.get(url).status_code == 200  # nothing new since
    assert counting_queries(client) == 0
