"""The guardian's Today page is kept for the person for KEPT_SECONDS (portal.accounts.kept): what
they do themselves and what they are told of shows at once, anything else within the window."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from portal.accounts import kept
from portal.accounts.models import User
from portal.children.models import Child, Guardian
from portal.core import clock
from portal.diary.models import DiaryEntry
from portal.notifications.models import Kind
from portal.notifications.services import Text, notify
from tests.conftest import TODAY, login, make_user
from tests.factories import GuardianFactory
from tests.test_access_matrix import ready_photo
from tests.test_messaging import staff_reply, start

pytestmark = pytest.mark.keep_reads


def today_page(client) -> str:
    response = client.get(reverse("home:home"))
    assert response.status_code == 200
    return response.content.decode()


def diary_queries(client) -> int:
    """How many of the Today page's queries read the diary (0 when the page was kept)."""
    with CaptureQueriesContext(connection) as queries:
        today_page(client)
    return sum('FROM "diary_diaryentry"' in q["sql"] for q in queries)


def write_diary_quietly(world, text: str) -> DiaryEntry:
    """A published page for Bo, written straight to the database: nobody is told of it."""
    return DiaryEntry.objects.create(
        child=world.bo,
        group=world.a.babies,
        date=TODAY,
        author=world.sanne,
        text=text,
        state=DiaryEntry.State.PUBLISHED,
        published_at=clock.now(),
    )


def later(seconds: float) -> None:
    clock.freeze(clock.now() + dt.timedelta(seconds=seconds))


def test_the_page_is_read_once_in_the_window_and_again_at_its_end(client, world):
    login(client, world.anna)
    assert diary_queries(client) == 1
    assert diary_queries(client) == 0
    later(kept.KEPT_SECONDS - 1)
    assert diary_queries(client) == 0  # the last second of the window
    later(1)
    assert diary_queries(client) == 1  # KEPT_SECONDS after reading: read again
    assert diary_queries(client) == 0


def test_what_nobody_was_told_of_shows_within_the_window(client, world):
    login(client, world.anna)
    assert "vandaag nog niet geschreven" in today_page(client)
    write_diary_quietly(world, "Lekker geslapen")
    assert "Lekker geslapen" not in today_page(client)  # kept from a moment ago
    later(kept.KEPT_SECONDS)
    assert "Lekker geslapen" in today_page(client)


def test_what_the_person_is_told_of_shows_at_once(client, world, django_capture_on_commit_callbacks):
    login(client, world.anna)
    today_page(client)
    write_diary_quietly(world, "Lekker geslapen")
    with django_capture_on_commit_callbacks(execute=True):  # as a task does, outside a transaction
        notify(users=[world.anna], kind=Kind.DIARY, key="diary:1", render=lambda u: Text("Nieuw", "…", "/"))
    assert "Lekker geslapen" in today_page(client)


def test_news_for_many_people_forgets_each_ones_kept_page(
    client, world, django_capture_on_commit_callbacks, monkeypatch
):
    login(client, world.anna)
    today_page(client)
    monkeypatch.setattr(kept, "BUMP_CHUNK", 1)  # one UPDATE per person: the chunks add up to everyone
    before = dict(User.objects.filter(pk__in=[world.anna.pk, world.sanne.pk]).values_list("pk", "reads_version"))
    with django_capture_on_commit_callbacks(execute=True):
        notify(
            users=[world.anna, world.sanne], kind=Kind.NEWS, key="news:9", render=lambda u: Text("Zomerfeest", "…", "/")
        )
    after = dict(User.objects.filter(pk__in=[world.anna.pk, world.sanne.pk]).values_list("pk", "reads_version"))
    assert after == {pk: version + 1 for pk, version in before.items()}
    assert "Zomerfeest" in today_page(client)


def test_the_persons_own_form_shows_at_once(client, world):
    login(client, world.anna)
    today_page(client)
    response = client.post(
        reverse("messaging:new"), {"child": world.bo.pk, "subject": "Ophalen", "body": "Oma haalt Bo op", "key": "k-1"}
    )
    assert response.status_code == 302
    assert "Oma haalt Bo op" in today_page(client)  # the latest message is the one just sent


def test_any_writing_request_of_the_person_forgets_their_kept_page(client, world):
    login(client, world.anna)
    today_page(client)
    write_diary_quietly(world, "Lekker geslapen")
    client.post(reverse("home:push_offer_hide"))  # writes nothing the page shows, yet it is a write
    assert "Lekker geslapen" in today_page(client)


def test_reading_the_conversation_clears_its_unread_count_at_once(client, world):
    thread = start(world)
    staff_reply(world, thread, body="Bo heeft een tand")
    login(client, world.anna)
    assert "1 nieuw" in today_page(client)
    assert client.get(reverse("messaging:thread", args=[thread.pk])).status_code == 200
    assert "1 nieuw" not in today_page(client)  # within the window, and no time passed


def test_a_child_taken_off_the_login_is_gone_at_once(client, world):
    login(client, world.anna)
    assert ">Mo</a>" in today_page(client)
    Guardian.objects.filter(user=world.anna, child=world.mo).delete()  # by an admin, elsewhere
    html = today_page(client)
    assert ">Bo</a>" in html and ">Mo</a>" not in html  # the roles are part of the key


def test_the_next_day_is_read_afresh_within_the_window(client, world):
    clock.freeze(clock.at(TODAY, dt.time(23, 59, 50)))
    login(client, world.anna)
    assert diary_queries(client) == 1
    later(15)  # past midnight, 15 seconds after reading
    assert clock.today() == TODAY + dt.timedelta(days=1)
    assert diary_queries(client) == 1


def second_parent_of_bo(world) -> User:
    parent = make_user("ruud@example.test", "Ruud Test")
    GuardianFactory(user=parent, child=world.bo)
    return parent


def test_one_persons_kept_page_is_never_anothers_even_with_the_same_roles(client, world):
    from portal.notifications.models import Notification

    ruud = second_parent_of_bo(world)
    Guardian.objects.filter(user=world.anna, child=world.mo).delete()  # both parents of Bo alone
    Notification.objects.create(user=ruud, kind="news", key="news:1", title="Alleen voor Ruud", url="/news/1/")
    login(client, world.anna)
    assert "Alleen voor Ruud" not in today_page(client)
    login(client, ruud)
    assert "Alleen voor Ruud" in today_page(client)
    login(client, world.anna)
    assert "Alleen voor Ruud" not in today_page(client)


def test_the_other_parents_message_shows_at_once(client, world, django_capture_on_commit_callbacks):
    ruud = second_parent_of_bo(world)
    login(client, world.anna)
    today_page(client)
    with django_capture_on_commit_callbacks(execute=True):
        start(world, author=ruud, body="Ik haal Bo vandaag op")  # nobody is told of a family's message
    assert "Ik haal Bo vandaag op" in today_page(client)


def test_a_photo_untagged_leaves_the_familys_page_at_once(client, world, django_capture_on_commit_callbacks):
    from portal.media.services import media_set_tags

    photo = ready_photo(world)
    login(client, world.anna)
    assert reverse("media:detail", args=[photo.pk]) in today_page(client)
    with django_capture_on_commit_callbacks(execute=True):
        media_set_tags(user=world.sanne, item=photo, child_ids=[])
    assert reverse("media:detail", args=[photo.pk]) not in today_page(client)


def test_consent_withdrawn_for_another_child_hides_the_photo_from_every_family_at_once(
    client, world, django_capture_on_commit_callbacks
):
    from portal.children.services import consent_change
    from portal.media.models import MediaTag

    Child.objects.filter(pk=world.lin.pk).update(photo_consent=True)
    world.lin.refresh_from_db()
    photo = ready_photo(world)  # Bo on it
    MediaTag.objects.create(media=photo, child=world.lin)  # and Lin, of another family
    login(client, world.anna)
    assert reverse("media:detail", args=[photo.pk]) in today_page(client)
    with django_capture_on_commit_callbacks(execute=True):
        consent_change(child=world.lin, actor=world.oscar, consent=False)
    assert reverse("media:detail", args=[photo.pk]) not in today_page(client)


def test_staff_writing_costs_no_version_update(client, world):
    login(client, world.sanne)
    with CaptureQueriesContext(connection) as queries:
        client.post(reverse("home:push_offer_hide"))
    assert not any("reads_version" in q["sql"] and q["sql"].startswith("UPDATE") for q in queries)


def test_news_read_in_the_app_leaves_the_today_page_at_once(client, world):
    from portal.accounts.services import api_token_create

    notify(users=[world.anna], kind=Kind.NEWS, key="news:9", render=lambda u: Text("Zomerfeest", "…", "/"))
    login(client, world.anna)
    assert "Zomerfeest" in today_page(client)
    token = api_token_create(user=world.anna, device_name="telefoon", second_factor=False)[1]
    app = Client()  # the app: a token, no session
    response = app.post(
        "/api/v1/notifications/read", {}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200 and response.json()["marked"] == 1
    assert "Zomerfeest" not in today_page(client)


def test_a_database_gone_after_the_answer_keeps_the_answer(client, world, monkeypatch, caplog):
    from django.db import OperationalError

    def gone(user_ids):
        raise OperationalError("server closed the connection unexpectedly")

    login(client, world.anna)
    monkeypatch.setattr(kept, "changed", gone)
    response = client.post(reverse("home:push_offer_hide"))
    assert response.status_code == 302  # the person's request went through
    assert "not moved on" in caplog.text


def test_saving_a_user_read_earlier_does_not_put_an_older_version_back(world):
    earlier = User.objects.get(pk=world.anna.pk)
    kept.changed([world.anna.pk])  # another request moved it on meanwhile
    earlier.full_name = "Anna de Vries"
    earlier.save()
    again = User.objects.get(pk=world.anna.pk)
    assert again.full_name == "Anna de Vries"
    assert again.reads_version == earlier.reads_version + 1


def test_a_database_gone_after_the_commit_keeps_the_change(world, monkeypatch, django_capture_on_commit_callbacks):
    from django.db import OperationalError

    from portal.media.models import MediaTag
    from portal.media.services import media_set_tags

    def gone(child_ids):
        raise OperationalError("server closed the connection unexpectedly")

    photo = ready_photo(world)
    monkeypatch.setattr(kept, "changed_for_children", gone)
    with django_capture_on_commit_callbacks(execute=True):
        media_set_tags(user=world.sanne, item=photo, child_ids=[])  # raises nothing
    assert not MediaTag.objects.filter(media=photo).exists()
