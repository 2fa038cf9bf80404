"""Notifications: the portal list, e-mail now or in the daily summary, quiet hours, language,
sending after the commit, retries, and never twice. Mail goes through a real SMTP server."""

from __future__ import annotations

import datetime as dt
import json
import socket

import pytest
from django.core import mail
from django.urls import reverse

from portal.accounts.services import api_token_create
from portal.core import clock
from portal.diary import services as diary_services
from portal.media.models import MediaItem
from portal.media.services import media_set_tags
from portal.notifications import services
from portal.notifications.models import Delivery, EmailChoice, Kind, Notification, Preference, QuietHours
from portal.notifications.services import Text, after_quiet_hours, next_digest_time, notify
from portal.planning import services as planning_services
from tests.conftest import login

AMS = clock.AMSTERDAM


def at(text: str) -> dt.datetime:
    return dt.datetime.fromisoformat(text).replace(tzinfo=AMS)


def simple(title="Nieuw bericht", url="/messages/1/"):
    return lambda user: Text(title=title, body="Oma haalt Bo op.", url=url)


def choose(user, kind, *, push=True, email=EmailChoice.INSTANT):
    Preference.objects.update_or_create(user=user, kind=kind, defaults={"push": push, "email": email})


def publish_diary(world, committed, text="Bo heeft met water gespeeld."):
    with committed():
        return diary_services.entry_save(
            author=world.sanne, child=world.bo, day=clock.today(), text=text, publish=True, by_guardian=False
        )


# ---------------------------------------------------------------- the rules of time


class TestQuietHours:
    night = QuietHours(start=dt.time(21, 0), end=dt.time(7, 0))
    lunch = QuietHours(start=dt.time(12, 0), end=dt.time(13, 30))

    @pytest.mark.parametrize(
        ("moment", "expected"),
        [
            ("2026-11-25 20:59", "2026-11-25 20:59"),  # a minute before: sent now
            ("2026-11-25 21:00", "2026-11-26 07:00"),  # the first quiet minute
            ("2026-11-25 23:30", "2026-11-26 07:00"),
            ("2026-11-26 06:59", "2026-11-26 07:00"),  # after midnight, same night
            ("2026-11-26 07:00", "2026-11-26 07:00"),  # quiet hours are over
        ],
    )
    def test_over_midnight(self, moment, expected):
        assert after_quiet_hours(at(moment), self.night) == at(expected)

    @pytest.mark.parametrize(
        ("moment", "expected"),
        [("2026-11-25 11:59", "2026-11-25 11:59"), ("2026-11-25 12:00", "2026-11-25 13:30")],
    )
    def test_within_a_day(self, moment, expected):
        assert after_quiet_hours(at(moment), self.lunch) == at(expected)

    def test_none_or_empty(self):
        assert after_quiet_hours(at("2026-11-25 23:00"), QuietHours()) == at("2026-11-25 23:00")
        same = QuietHours(start=dt.time(8, 0), end=dt.time(8, 0))
        assert after_quiet_hours(at("2026-11-25 08:00"), same) == at("2026-11-25 08:00")

    def test_end_on_the_night_clocks_go_back(self):
        # 25 October 2026: 03:00 summer time becomes 02:00 winter time; 07:00 is winter time.
        result = after_quiet_hours(at("2026-10-24 22:00"), self.night)
        assert result == at("2026-10-25 07:00") and result.utcoffset() == dt.timedelta(hours=1)

    def test_daily_summary_time(self):
        quiet = QuietHours(digest_time=dt.time(19, 0))
        assert next_digest_time(at("2026-11-25 18:59"), quiet) == at("2026-11-25 19:00")
        assert next_digest_time(at("2026-11-25 19:00"), quiet) == at("2026-11-26 19:00")
        # A summary time inside quiet hours waits for their end.
        late = QuietHours(start=dt.time(21, 0), end=dt.time(7, 0), digest_time=dt.time(22, 0))
        assert next_digest_time(at("2026-11-25 10:00"), late) == at("2026-11-26 07:00")


# ---------------------------------------------------------------- making notifications


def test_an_event_is_told_once_per_person(world, committed):
    with committed():
        first = notify(users=[world.anna, world.bert], kind=Kind.MESSAGE, key="message:1", render=simple())
        again = notify(users=[world.anna], kind=Kind.MESSAGE, key="message:1", render=simple())
    assert len(first) == 2 and again == []
    assert Notification.objects.filter(user=world.anna).count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == ["anna@example.test", "bert@example.test"]


def test_texts_are_written_in_the_recipients_language(world, committed):
    from portal.children.models import Guardian

    Guardian.objects.create(user=world.bert, child=world.bo)  # Bo's second guardian, in English
    world.bert.language = "en"
    world.bert.save()
    publish_diary(world, committed)
    assert Notification.objects.get(user=world.anna).title == "Een nieuwe pagina in het schriftje van Bo"
    assert Notification.objects.get(user=world.bert).title == "A new page in the diary of Bo"


def test_nothing_leaves_before_the_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(users=[world.anna], kind=Kind.MESSAGE, key="message:2", render=simple())
    # The delivery, and moving Anna's kept Today page on (portal.accounts.kept): both after the commit.
    assert mail.outbox == [] and len(callbacks) == 2
    assert Delivery.objects.get().state == Delivery.State.PENDING
    callbacks[0]()
    assert len(mail.outbox) == 1 and Delivery.objects.get().state == Delivery.State.SENT


def test_inactive_people_get_nothing(world, committed):
    world.anna.is_active = False
    world.anna.save()
    with committed():
        assert notify(users=[world.anna], kind=Kind.MESSAGE, key="message:3", render=simple()) == []
    assert mail.outbox == []


# ---------------------------------------------------------------- e-mail through a real SMTP server


def test_instant_mail_through_smtp_in_the_recipients_language(world, committed, smtp_server):
    world.anna.language = "en"
    world.anna.save()
    publish_diary(world, committed)
    [message] = smtp_server.messages
    assert message["To"] == "anna@example.test"
    assert message["Subject"] == "A new page in the diary of Bo"
    body = message.get_content()
    assert "Dear Anna" in body and f"/children/{world.bo.pk}/diary/" in body
    assert "notification settings" in body and "&#x27;" not in body  # plain text, not HTML-escaped


def test_mail_off_means_only_the_portal_list(world, committed, smtp_server):
    choose(world.anna, Kind.DIARY, email=EmailChoice.OFF)
    publish_diary(world, committed)
    assert smtp_server.messages == []
    assert Notification.objects.filter(user=world.anna, kind=Kind.DIARY).count() == 1


def test_daily_summary_collects_the_day_in_one_mail(world, committed, smtp_server):
    choose(world.anna, Kind.DIARY, email=EmailChoice.DIGEST)
    choose(world.anna, Kind.MESSAGE, email=EmailChoice.DIGEST)
    publish_diary(world, committed)
    with committed():
        notify(users=[world.anna], kind=Kind.MESSAGE, key="message:9", render=simple("De groep schreef u"))
    assert smtp_server.messages == []
    with clock.frozen(at("2026-11-25 18:59")):
        services.send_due()
    assert smtp_server.messages == []
    with clock.frozen(at("2026-11-25 19:00")):
        services.send_due()
        services.send_due()  # a second run sends nothing more
    [summary] = smtp_server.messages
    assert summary["To"] == "anna@example.test" and "2" in summary["Subject"]
    text = summary.get_content()
    assert "De groep schreef u" in text and "schriftje van Bo" in text
    assert set(Delivery.objects.values_list("state", flat=True)) == {"sent"}


def test_quiet_hours_hold_mail_until_they_end(world, committed, smtp_server):
    QuietHours.objects.create(user=world.anna, start=dt.time(21, 0), end=dt.time(7, 0))
    with clock.frozen(at("2026-11-25 22:15")), committed():
        notify(users=[world.anna, world.bert], kind=Kind.MESSAGE, key="message:4", render=simple())
    assert [m["To"] for m in smtp_server.messages] == ["bert@example.test"]  # Bert has no quiet hours
    with clock.frozen(at("2026-11-26 06:59")):
        services.send_due()
    assert len(smtp_server.messages) == 1
    with clock.frozen(at("2026-11-26 07:00")):
        services.send_due()
    assert [m["To"] for m in smtp_server.messages] == ["bert@example.test", "anna@example.test"]


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_failed_mail_is_retried_later_and_then_given_up(world, committed, settings, smtp_server):
    working_port = settings.EMAIL_PORT
    settings.EMAIL_PORT = closed_port()  # the mail server is down
    with committed():
        notify(users=[world.anna], kind=Kind.MESSAGE, key="message:5", render=simple())
    delivery = Delivery.objects.get()
    assert delivery.state == "pending" and delivery.attempts == 1 and "Connection" in delivery.last_error
    assert delivery.due_at == clock.now() + dt.timedelta(minutes=1)
    services.send_due()  # not due yet: nothing tried
    assert Delivery.objects.get().attempts == 1
    settings.EMAIL_PORT = working_port
    with clock.frozen(clock.now() + dt.timedelta(minutes=1)):
        services.send_due()
    assert Delivery.objects.get().state == "sent" and len(smtp_server.messages) == 1

    settings.EMAIL_PORT = closed_port()
    with committed():
        notify(users=[world.bert], kind=Kind.MESSAGE, key="message:6", render=simple())
    moment = clock.now()
    for _ in range(6):
        moment += dt.timedelta(hours=2)
        with clock.frozen(moment):
            services.send_due()
    failed = Delivery.objects.get(notification__user=world.bert)
    assert failed.state == "failed" and failed.attempts == services.MAX_ATTEMPTS


def test_a_delivery_is_never_sent_twice(world, committed):
    with committed():
        notify(users=[world.anna], kind=Kind.MESSAGE, key="message:7", render=simple())
    delivery = Delivery.objects.get()
    assert services.deliver_one(delivery.pk) == "not due"
    services.send_due()
    assert len(mail.outbox) == 1


def test_an_interrupted_delivery_is_not_sent_again(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        notify(users=[world.anna], kind=Kind.MESSAGE, key="message:8", render=simple())
    Delivery.objects.update(state=Delivery.State.SENDING, claimed_at=clock.now())  # a worker died mid-way
    with clock.frozen(clock.now() + services.STUCK_AFTER):
        assert "1 interrupted" in services.send_due()
    assert Delivery.objects.get().state == "failed" and mail.outbox == []


# ---------------------------------------------------------------- the sources


def test_a_decision_notifies_the_guardians(world, committed):
    from tests.test_planning import MONDAY, TUESDAY, roster

    roster(world.a.babies, 1)
    result = planning_services.absence_report(
        user=world.anna, child=world.bo, day=MONDAY, reason="holiday", swap_day=TUESDAY
    )
    with committed():
        planning_services.request_decide(planner=world.paula, request=result.swap, approve=False, note="Vol")
    notification = Notification.objects.get(user=world.anna, kind=Kind.DECISION)
    assert "Vol" in notification.body and notification.url == reverse("planning:calendar", args=[world.bo.pk])


def ready_photo(world, children):
    from tests.test_access_matrix import ready_photo as make

    item = make(world)
    item.tags.exclude(child__in=children).delete()
    return item


def test_a_photo_notifies_the_families_on_it_once(world, committed):
    from portal.media.tasks import notify_tagged

    item = ready_photo(world, [world.bo])
    with committed():
        notify_tagged.enqueue(item.pk)
        notify_tagged.enqueue(item.pk)
    assert list(Notification.objects.values_list("user__email", "kind", "title")) == [
        ("anna@example.test", "photo", "Nieuwe foto van Bo")
    ]
    world.lin.photo_consent = True
    world.lin.save()
    world.bo.photo_consent = True
    world.bo.save()
    with committed():
        media_set_tags(user=world.sanne, item=item, child_ids=[world.bo.pk, world.lin.pk])
    assert sorted(Notification.objects.values_list("user__email", flat=True)) == [
        "anna@example.test",
        "bert@example.test",
    ]


def test_a_photo_hidden_for_consent_notifies_nobody(world, committed):
    from portal.media.tasks import notify_tagged

    item = ready_photo(world, [world.bo])
    MediaItem.objects.filter(pk=item.pk).update(hidden_for_consent=True)
    with committed():
        notify_tagged.enqueue(item.pk)
    assert not Notification.objects.exists()


# ---------------------------------------------------------------- pages


def test_list_open_and_read_all(client, world, committed):
    with committed():
        for number in range(3):
            notify(users=[world.anna], kind=Kind.MESSAGE, key=f"message:{number}", render=simple(f"Bericht {number}"))
    login(client, world.anna)
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Bericht 2" in page and 'id="nav-unread-notifications">3' in page
    first = Notification.objects.get(key="message:0")
    response = client.get(reverse("notifications:open", args=[first.pk]))
    assert response.status_code == 302 and response["Location"] == "/messages/1/"
    assert Notification.objects.get(pk=first.pk).read_at == clock.now()
    client.post(reverse("notifications:read_all"))
    assert services.unread_count(world.anna) == 0
    assert "nav-unread-notifications" not in client.get(reverse("notifications:list")).content.decode()
    login(client, world.bert)  # someone else's notification does not exist for Bert
    assert client.get(reverse("notifications:open", args=[first.pk])).status_code == 404


def test_open_never_leaves_the_portal(client, world, committed):
    with committed():
        [notification] = notify(users=[world.anna], kind=Kind.NEWS, key="news:1", render=simple(url="//evil.example/x"))
    login(client, world.anna)
    assert client.get(reverse("notifications:open", args=[notification.pk]))["Location"] == "/"


def test_empty_list(client, world):
    login(client, world.bert)
    assert 'class="hint empty"' in client.get(reverse("notifications:list")).content.decode()


def test_list_queries_do_not_grow(client, world, committed, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, world.anna)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("notifications:list")).status_code == 200
        return len(queries)

    with committed():
        notify(users=[world.anna], kind=Kind.MESSAGE, key="m:0", render=simple())
    few = count()
    with committed():
        for number in range(1, 40):
            notify(users=[world.anna], kind=Kind.MESSAGE, key=f"m:{number}", render=simple())
    assert count() == few


def test_settings_save_and_refuse_half_quiet_hours(client, world):
    login(client, world.anna)
    form = {f"{k}-email": "instant" for k in Kind.values} | {f"{k}-push": "on" for k in Kind.values}
    form |= {"photo-email": "off", "quiet_start": "21:00", "quiet_end": "07:00", "digest_time": "18:30"}
    form.pop("news-push")
    assert client.post(reverse("notifications:settings"), form).status_code == 302
    assert services.preferences_of(world.anna)["photo"] == (True, "off")
    assert services.preferences_of(world.anna)["news"] == (False, "instant")
    quiet = QuietHours.objects.get(user=world.anna)
    assert (quiet.start, quiet.end, quiet.digest_time) == (dt.time(21), dt.time(7), dt.time(18, 30))

    bad = form | {"quiet_end": "", "photo-email": "sometimes"}
    response = client.post(reverse("notifications:settings"), bad)
    assert response.status_code == 200
    assert response.content.decode().count('role="alert"') == 1
    assert QuietHours.objects.get(user=world.anna).end == dt.time(7)  # nothing changed
    assert client.post(reverse("notifications:settings"), form | {"quiet_start": "9 uur"}).status_code == 200


def test_settings_show_the_defaults(client, world):
    login(client, world.anna)
    page = client.get(reverse("notifications:settings")).content.decode()
    assert page.count("checked") == len(Kind.values)
    assert services.preferences_of(world.anna)[Kind.PHOTO] == (True, EmailChoice.DIGEST)


# ---------------------------------------------------------------- the API


def api(client, user, method, path, body=None):
    _token, raw = api_token_create(user=user, device_name="telefoon")
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {raw}"}
    if body is not None:
        kwargs |= {"data": json.dumps(body), "content_type": "application/json"}
    return getattr(client, method)(f"/api/v1{path}", **kwargs)


def test_api_list_read_and_preferences(client, world, committed):
    with committed():
        for number in range(3):
            notify(users=[world.anna], kind=Kind.MESSAGE, key=f"m:{number}", render=simple(f"Bericht {number}"))
    data = api(client, world.anna, "get", "/notifications?limit=2").json()
    assert data["unread"] == 3 and [i["title"] for i in data["items"]] == ["Bericht 2", "Bericht 1"]
    older = api(client, world.anna, "get", f"/notifications?before_id={data['items'][-1]['id']}").json()
    assert [i["title"] for i in older["items"]] == ["Bericht 0"]
    read = api(client, world.anna, "post", "/notifications/read", {"ids": [data["items"][0]["id"]]}).json()
    assert read == {"marked": 1, "unread": 2}
    assert api(client, world.bert, "post", "/notifications/read", {}).json() == {"marked": 0, "unread": 0}
    assert services.unread_count(world.anna) == 2  # Bert cannot touch Anna's

    prefs = api(client, world.anna, "get", "/notifications/preferences").json()
    assert {"kind": "photo", "push": True, "email": "digest"} in prefs["kinds"]
    changed = api(
        client,
        world.anna,
        "put",
        "/notifications/preferences",
        {"kinds": [{"kind": "photo", "push": False, "email": "off"}], "quiet_start": "21:00", "quiet_end": "07:00"},
    )
    assert changed.status_code == 200 and {"kind": "photo", "push": False, "email": "off"} in changed.json()["kinds"]
    assert changed.json()["quiet_start"] == "21:00"
    for bad in (
        {"kinds": [{"kind": "gossip", "push": True, "email": "off"}]},
        {"kinds": [{"kind": "photo", "push": True, "email": "weekly"}]},
        {"kinds": [], "quiet_start": "21:00", "quiet_end": None},
        {"kinds": [], "quiet_end": "21:00"},  # the same as the start kept from before
    ):
        assert api(client, world.anna, "put", "/notifications/preferences", bad).status_code == 422
    assert services.preferences_of(world.anna)["photo"] == (False, "off")


def test_a_title_is_one_line(world, committed, smtp_server):
    with committed():
        notify(users=[world.anna], kind=Kind.NEWS, key="news:9", render=simple("Nieuws\r\nBcc: iemand@example.test"))
    assert Notification.objects.get().title == "Nieuws Bcc: iemand@example.test"
    [message] = smtp_server.messages
    assert message["Bcc"] is None and message["To"] == "anna@example.test"


def test_notify_reads_choices_once_for_all_recipients(world, committed, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from tests.conftest import make_user

    people = [make_user(f"ouder{n}@example.test", f"Ouder {n}") for n in range(20)]

    def count(users, key) -> int:
        with CaptureQueriesContext(connection) as queries:
            notify(users=users, kind=Kind.NEWS, key=key, render=simple())
        return len(queries)

    few, many = count(people[:2], "news:1"), count(people, "news:2")
    # Per person: a savepoint around its row, the row, and its release. Nothing else grows.
    assert many - few <= 18 * 3


def test_the_app_changes_only_what_it_sends(client, world):
    QuietHours.objects.create(user=world.anna, start=dt.time(21), end=dt.time(7), digest_time=dt.time(18))
    response = api(
        client,
        world.anna,
        "put",
        "/notifications/preferences",
        {"kinds": [{"kind": "news", "push": False, "email": "off"}]},
    )
    assert response.status_code == 200
    quiet = QuietHours.objects.get(user=world.anna)
    assert (quiet.start, quiet.end, quiet.digest_time) == (dt.time(21), dt.time(7), dt.time(18))
    response = api(
        client, world.anna, "put", "/notifications/preferences", {"kinds": [], "quiet_start": None, "quiet_end": None}
    )
    assert response.status_code == 200 and QuietHours.objects.get(user=world.anna).start is None


def test_opening_the_page_reads_the_notification(client, world, committed):
    publish_diary(world, committed)
    login(client, world.anna)
    client.get(reverse("diary:child", args=[world.bo.pk]))
    assert services.unread_count(world.anna) == 0


def test_with_the_database_queue_the_task_commits_with_the_change(world, settings):
    """The follow-up of a change is written in the change's own transaction: a rolled-back
    change leaves no task, a committed one cannot lose its task to a crash after the commit."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

    class Undo(Exception):
        pass

    with pytest.raises(Undo), transaction.atomic():
        diary_services.entry_save(
            author=world.sanne, child=world.bo, day=clock.today(), text="Weg", publish=True, by_guardian=False
        )
        assert DBTaskResult.objects.filter(task_path="portal.diary.tasks.notify_entry").count() == 1
        raise Undo
    assert not DBTaskResult.objects.exists()
    with transaction.atomic():
        diary_services.entry_save(
            author=world.sanne, child=world.bo, day=clock.today(), text="Blijft", publish=True, by_guardian=False
        )
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == ["portal.diary.tasks.notify_entry"]
    assert mail.outbox == []  # the worker sends it, not the request
