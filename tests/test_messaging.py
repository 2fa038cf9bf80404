"""Messages between families and groups: writing, replying, the group inbox, handled/open,
search, unread counts, writing to all families, attachments (real photos and PDFs), escaping,
double submits, who may see what, the API, and query counts."""

from __future__ import annotations

import datetime as dt
import io
import json

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from PIL import Image
from pypdf import PdfReader

from portal.access import messaging as messaging_access
from portal.access import roles as roles_access
from portal.accounts.models import User
from portal.accounts.services import api_token_create
from portal.children.models import Guardian, Placement
from portal.children.selectors import groups_of_now
from portal.core import clock
from portal.messaging import selectors, services
from portal.messaging.models import Attachment, Message, ReadMark, Thread
from portal.notifications.models import Notification
from portal.organisations.models import GroupStaff
from tests import media_files
from tests.conftest import TODAY, child, login, make_user
from tests.factories import place

# ---------------------------------------------------------------- helpers


@pytest.fixture(autouse=True)
def english(world):
    """The texts are checked in English (the lead translates them to Dutch at the end)."""
    User.objects.update(language="en")
    for name in ("anna", "bert", "carla", "sanne", "paula", "adam", "otto", "oscar", "olga", "nobody"):
        getattr(world, name).language = "en"
    with translation.override("en"):
        yield


def photo(name="foto.jpg", content=None):
    return SimpleUploadedFile(name, content if content is not None else media_files.jpeg_with_gps(), "image/jpeg")


def pdf(name="brief.pdf", content=None):
    return SimpleUploadedFile(name, content if content is not None else media_files.pdf_document(), "application/pdf")


def start(world, *, author=None, child=None, body="Oma haalt Bo vandaag op", files=(), key="", subject=""):
    author = author or world.anna
    kid = child or world.bo
    _child, group = messaging_access.message_child_for_guardian(author, kid.pk)
    return services.thread_start(
        author=author, child=kid, group=group, subject=subject, body=body, files=files, key=key, by_staff=False
    )


def staff_reply(world, thread, body="Dank je, we weten het!", committed=None, **extra):
    if committed is None:
        return services.message_add(author=world.sanne, thread=thread, body=body, by_staff=True, **extra)
    with committed():
        return services.message_add(author=world.sanne, thread=thread, body=body, by_staff=True, **extra)


def page_of(client, name, *args, **query):
    response = client.get(reverse(name, args=args), query)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def forget(*users):
    for user in users:
        roles_access.forget_roles(user)


# ---------------------------------------------------------------- guardians write, staff read


def test_a_guardian_writes_and_the_group_sees_it_unread(client, world):
    login(client, world.anna)
    response = client.post(
        reverse("messaging:new"),
        {"child": world.bo.pk, "subject": "Ophalen", "body": "Oma haalt haar vandaag op", "key": "k-1"},
    )
    thread = Thread.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("messaging:thread", args=[thread.pk])
    assert thread.group == world.a.babies and thread.child == world.bo and thread.organisation == world.a.org
    message = thread.messages.get()
    assert message.author == world.anna and not message.by_staff
    assert not Notification.objects.exists()  # a family's message notifies nobody

    assert selectors.unread_total(world.sanne) == 1
    assert selectors.unread_total(world.anna) == 0  # her own message
    login(client, world.sanne)
    inbox = page_of(client, "messaging:group_inbox", world.a.babies.pk)
    assert "Oma haalt haar vandaag op" in inbox and "Bo Test" in inbox
    assert 'class="badge unread"' in inbox
    page_of(client, "messaging:thread", thread.pk)
    assert selectors.unread_total(world.sanne) == 0
    assert 'class="badge unread"' not in page_of(client, "messaging:group_inbox", world.a.babies.pk)


def test_a_guardian_of_two_children_must_choose_and_sees_both_labelled(client, world):
    login(client, world.anna)
    response = client.post(reverse("messaging:new"), {"body": "Wie is dit?", "key": "k-2"})
    assert response.status_code == 400 and "Choose the child" in response.content.decode()
    assert not Thread.objects.exists()
    start(world, child=world.bo, body="Over Bo")
    start(world, child=world.mo, body="Over Mo")
    assert {(t.child, t.group) for t in Thread.objects.all()} == {
        (world.bo, world.a.babies),
        (world.mo, world.a.toddlers),
    }
    page = page_of(client, "messaging:inbox")
    assert "<strong>Bo</strong> · Baby&#x27;s" in page and "<strong>Mo</strong> · Peuters" in page
    form = page_of(client, "messaging:new")
    assert "Bo (to group Baby&#x27;s)" in form and "Mo (to group Peuters)" in form


def test_a_guardian_with_one_child_need_not_choose(client, world):
    login(client, world.bert)
    response = client.post(reverse("messaging:new"), {"body": "Lin is verkouden", "key": "k-3"})
    assert response.status_code == 302
    assert Thread.objects.get().child == world.lin


def test_guardians_write_to_the_upcoming_group_before_the_start(client, world):
    """Carla's Fien starts on the Peuters in 20 days: she may already write to them."""
    login(client, world.carla)
    client.post(reverse("messaging:new"), {"child": world.fien.pk, "body": "Wat moet ze meenemen?", "key": "k-4"})
    assert Thread.objects.get().group == world.a.toddlers


def test_the_current_group_wins_over_an_upcoming_one(world):
    place(world.bo, world.a.toddlers, TODAY + dt.timedelta(days=30))
    assert groups_of_now([world.bo.pk], clock.today())[world.bo.pk] == world.a.babies


def test_a_child_without_placement_has_nobody_to_write_to(client, world):
    Placement.objects.filter(child=world.lin).update(end_date=TODAY - dt.timedelta(days=1))
    login(client, world.bert)
    page = page_of(client, "messaging:new")
    assert "no group to write to" in page
    response = client.post(reverse("messaging:new"), {"child": world.lin.pk, "body": "Hallo", "key": "k-5"})
    assert response.status_code == 400 and not Thread.objects.exists()


def test_another_familys_child_is_a_404(client, world):
    login(client, world.bert)
    response = client.post(reverse("messaging:new"), {"child": world.bo.pk, "body": "Hallo", "key": "k-6"})
    assert response.status_code == 404 and not Thread.objects.exists()


def test_a_second_guardian_reads_along_and_counts_the_other_guardians_message(world):
    dad = make_user("vader@example.test", "Vader van Bo")
    Guardian.objects.create(user=dad, child=world.bo)
    thread = start(world)
    assert thread in messaging_access.visible_threads(dad)
    assert selectors.unread_total(dad) == 1


# ---------------------------------------------------------------- staff reply, notifications, handled


def test_staff_reply_tells_the_guardians_without_the_text(world, committed):
    thread = start(world)
    message = staff_reply(world, thread, body="Geheime inhoud van het bericht", committed=committed)
    [note] = Notification.objects.all()
    assert note.user == world.anna and note.kind == "message" and note.key == f"message:{message.pk}"
    assert note.url == reverse("messaging:thread", args=[thread.pk])
    assert [m.to for m in mail.outbox] == [["anna@example.test"]]
    assert "Geheime inhoud" not in mail.outbox[0].body and "Geheime inhoud" not in note.body
    assert selectors.unread_total(world.anna) == 1


def test_handled_and_reopened_by_a_new_family_message(client, world):
    thread = start(world)
    login(client, world.sanne)
    response = client.post(reverse("messaging:handled", args=[thread.pk]))
    thread.refresh_from_db()
    assert response.status_code == 302 and thread.handled_at is not None and thread.handled_by == world.sanne
    assert "Oma haalt" not in page_of(client, "messaging:group_inbox", world.a.babies.pk)  # open: default
    assert "Oma haalt" in page_of(client, "messaging:group_inbox", world.a.babies.pk, state="handled")
    staff_reply(world, thread)  # staff writing does not reopen
    thread.refresh_from_db()
    assert thread.handled_at is not None
    services.message_add(author=world.anna, thread=thread, body="Nog één ding", by_staff=False)
    thread.refresh_from_db()
    assert thread.handled_at is None and thread.handled_by is None
    client.post(reverse("messaging:handled", args=[thread.pk]), {"handled": "1"})
    client.post(reverse("messaging:handled", args=[thread.pk]), {"handled": "0"})
    thread.refresh_from_db()
    assert thread.handled_at is None


def test_guardians_cannot_mark_handled(client, world):
    thread = start(world)
    login(client, world.anna)
    assert client.post(reverse("messaging:handled", args=[thread.pk])).status_code == 403
    thread.refresh_from_db()
    assert thread.handled_at is None


def test_staff_with_one_group_go_straight_to_its_inbox_and_with_two_choose(client, world):
    login(client, world.sanne)
    response = client.get(reverse("messaging:inbox"))
    assert response.status_code == 302 and response["Location"] == reverse(
        "messaging:group_inbox", args=[world.a.babies.pk]
    )
    GroupStaff.objects.create(user=world.sanne, group=world.a.toddlers)
    start(world, child=world.mo, body="Mo is moe")
    login(client, world.sanne)
    page = page_of(client, "messaging:inbox")
    assert "Baby&#x27;s" in page and "Peuters" in page and 'class="badge unread"' in page


# ---------------------------------------------------------------- the placement rule for replying


def test_a_guardian_replies_only_while_the_child_is_on_the_threads_group(client, world):
    thread = start(world)
    login(client, world.anna)
    url = reverse("messaging:thread", args=[thread.pk])
    assert client.post(url, {"body": "En nog", "key": "r1"}).status_code == 302
    # Bo moves to the Peuters: the conversation with the Baby's is closed for the family.
    world.bo_placement.end_date = TODAY - dt.timedelta(days=1)
    world.bo_placement.save()
    place(world.bo, world.a.toddlers, TODAY)
    response = client.post(reverse("messaging:thread", args=[thread.pk]), {"body": "Hallo?", "key": "r2"})
    page = response.content.decode()
    assert response.status_code == 403 and "Start a new conversation" in page
    assert thread.messages.count() == 2
    assert "Start a new conversation" in page_of(client, "messaging:thread", thread.pk)
    # ... while the staff of the Baby's can still write, and a new conversation goes to the Peuters.
    assert messaging_access.message_reply_decision(world.sanne, thread)
    assert start(world, body="Nieuw gesprek", key="n1").group == world.a.toddlers


def test_a_guardian_may_reply_on_an_upcoming_placement_of_the_same_group(world):
    thread = start(world)
    world.bo_placement.end_date = TODAY - dt.timedelta(days=1)
    world.bo_placement.save()
    assert not messaging_access.message_reply_decision(world.anna, thread)
    place(world.bo, world.a.babies, TODAY + dt.timedelta(days=10))
    assert messaging_access.message_reply_decision(world.anna, thread)


# ---------------------------------------------------------------- staff write to one or all families


def test_staff_write_to_one_family(client, world, committed):
    login(client, world.sanne)
    with committed():
        response = client.post(
            reverse("messaging:group_new", args=[world.a.babies.pk]),
            {"to": world.lin.pk, "subject": "Slaapzak", "body": "Wil je een slaapzak meegeven?", "key": "s1"},
        )
    thread = Thread.objects.get()
    assert response.status_code == 302 and thread.child == world.lin and thread.messages.get().by_staff
    assert [n.user for n in Notification.objects.all()] == [world.bert]


def test_staff_cannot_write_to_a_child_of_another_group(client, world):
    login(client, world.sanne)
    response = client.post(
        reverse("messaging:group_new", args=[world.a.babies.pk]), {"to": world.mo.pk, "body": "Hallo", "key": "s2"}
    )
    assert response.status_code == 404 and not Thread.objects.exists()


def test_staff_write_to_all_families_one_thread_per_family(client, world, committed):
    # Jip is Bo's sibling with the same guardian: one family. Kai has Anna and Bert: another one.
    jip = child(world.a.org, "Jip", dt.date(2026, 2, 1))
    kai = child(world.a.org, "Kai", dt.date(2026, 2, 1))
    orphan = child(world.a.org, "Zonder", dt.date(2026, 2, 1))  # no guardian: nobody to tell
    for kid in (jip, kai, orphan):
        place(kid, world.a.babies, dt.date(2026, 9, 1))
    Guardian.objects.create(user=world.anna, child=jip)
    Guardian.objects.create(user=world.anna, child=kai)
    Guardian.objects.create(user=world.bert, child=kai)
    login(client, world.sanne)
    with committed():
        response = client.post(
            reverse("messaging:group_new", args=[world.a.babies.pk]),
            {
                "to": "all",
                "subject": "Zwemmen",
                "body": "Wil je morgen zwemkleding meegeven?",
                "key": "b1",
                "files": [photo(), pdf()],
            },
        )
    assert response.status_code == 302
    threads = list(Thread.objects.order_by("child__first_name"))
    assert [t.child for t in threads] == [world.bo, kai, world.lin]  # Bo+Jip, Kai, Lin
    for thread in threads:
        message = thread.messages.get()
        assert message.body == "Wil je morgen zwemkleding meegeven?" and message.by_staff
        assert sorted(a.kind for a in message.attachments.all()) == ["pdf", "photo"]
    files = {a.file.name for a in Attachment.objects.all()}
    assert len(files) == 2  # stored once, shared by the three messages
    told = sorted((n.user.email, n.url) for n in Notification.objects.all())
    assert len(told) == 4  # anna twice (Bo+Jip, Kai), bert twice (Kai, Lin)
    # Sent twice (the same form): still three threads.
    client.post(
        reverse("messaging:group_new", args=[world.a.babies.pk]),
        {"to": "all", "body": "Wil je morgen zwemkleding meegeven?", "key": "b1"},
    )
    assert Thread.objects.count() == 3 and Message.objects.count() == 3
    # Staff's own broadcast is not unread for staff; the families see it unread.
    assert selectors.unread_total(world.sanne) == 0
    assert selectors.unread_total(world.anna) == 2 and selectors.unread_total(world.bert) == 2


def test_writing_to_a_group_without_families_says_so(world):
    with pytest.raises(Exception, match="no families"):
        services.broadcast(author=world.sanne, group=world.a.bso, subject="", body="Hallo")


# ---------------------------------------------------------------- escaping, search, limits


def test_message_text_is_shown_escaped(client, world):
    body = '<script>alert("x")</script>\n<b>vet</b> & <img src=x onerror=alert(1)>'
    thread = start(world, body=body, subject="<i>onderwerp</i>")
    for user in (world.anna, world.sanne):
        login(client, user)
        page = page_of(client, "messaging:thread", thread.pk)
        assert "<script>alert" not in page and "<b>vet</b>" not in page and "<img src=x" not in page
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;<br>&lt;b&gt;vet&lt;/b&gt; &amp; &lt;img" in page
        assert "&lt;i&gt;onderwerp&lt;/i&gt;" in page
    inbox = page_of(client, "messaging:group_inbox", world.a.babies.pk)
    assert "<script>alert" not in inbox and "&lt;script&gt;" in inbox


def test_staff_search_their_groups_by_subject_text_and_name(client, world):
    start(world, body="Bo heeft koorts gehad", subject="Ziek")
    start(world, author=world.bert, child=world.lin, body="Lin komt later", subject="Tandarts")
    start(world, child=world.mo, body="Mo heeft koorts", subject="Peuters")  # another group than Sanne's
    login(client, world.sanne)

    def found(q, state="all"):
        page = page_of(client, "messaging:group_inbox", world.a.babies.pk, q=q, state=state)
        return {name for name in ("Bo Test", "Lin Test", "Mo Test") if name in page}

    assert found("koorts") == {"Bo Test"}  # Mo's thread is of the Peuters
    assert found("TANDARTS") == {"Lin Test"}
    assert found("lin") == {"Lin Test"}
    assert found("Bo koorts") == {"Bo Test"}
    assert found("niets") == set()
    assert "Nothing found" in page_of(client, "messaging:group_inbox", world.a.babies.pk, q="niets")
    # The API searches all of the caller's groups.
    GroupStaff.objects.create(user=world.sanne, group=world.a.toddlers)
    forget(world.sanne)
    threads = selectors.staff_threads(world.sanne, group_ids=[world.a.babies.pk, world.a.toddlers.pk], q="koorts")
    assert {t.child for t in threads} == {world.bo, world.mo}


@pytest.mark.parametrize(
    ("body", "files", "message"),
    [
        ("", [], "Write a message"),
        ("x" * 5001, [], "at most 5000 characters"),
    ],
)
def test_empty_or_too_long_messages_are_refused(client, world, body, files, message):
    login(client, world.anna)
    response = client.post(reverse("messaging:new"), {"child": world.bo.pk, "body": body, "key": "e1"})
    assert response.status_code == 400 and message in response.content.decode()
    assert not Thread.objects.exists()
    assert 'value="e1"' in response.content.decode()  # the same key comes back with the form


def test_a_message_of_only_a_photo_is_fine(world):
    thread = start(world, body="", files=[photo()])
    assert thread.messages.get().attachments.count() == 1


# ---------------------------------------------------------------- attachments


def test_a_photo_is_stored_without_gps_with_a_thumbnail_and_served_privately(client, world):
    source = media_files.jpeg_with_gps(width=2400, height=1600)
    assert b"Telefoonfabrikant" in source
    thread = start(world, files=[photo("IMG_0001.JPG", source)])
    attachment = Attachment.objects.get()
    assert attachment.kind == "photo" and attachment.content_type == "image/jpeg"
    assert attachment.original_name == "IMG_0001.jpg" and (attachment.width, attachment.height) == (1600, 1067)
    for stored in (attachment.file, attachment.thumbnail):
        data = open(stored.path, "rb").read()
        assert b"Telefoonfabrikant" not in data and b"Model X" not in data
        assert len(Image.open(io.BytesIO(data)).getexif()) == 0
    login(client, world.anna)
    url = reverse("messaging:attachment", args=[attachment.pk, attachment.url_name])
    response = client.get(url)
    body = b"".join(response.streaming_content)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff" and response["Cache-Control"].startswith("private")
    assert Image.open(io.BytesIO(body)).size == (1600, 1067)
    thumb = b"".join(client.get(url, {"size": "thumb"}).streaming_content)
    assert max(Image.open(io.BytesIO(thumb)).size) == 480
    page = page_of(client, "messaging:thread", thread.pk)
    assert f"{url}?size=thumb" in page


def test_heic_and_png_photos_are_accepted(world):
    thread = start(
        world, files=[photo("a.heic", media_files.heic()), SimpleUploadedFile("b.png", media_files.png(), "image/png")]
    )
    assert [a.original_name for a in thread.messages.get().attachments.all()] == ["a.jpg", "b.jpg"]


def test_a_pdf_is_a_download(client, world):
    start(world, files=[pdf("Machtiging opvang.pdf")])
    attachment = Attachment.objects.get()
    assert attachment.kind == "pdf" and attachment.original_name == "Machtiging opvang.pdf"
    login(client, world.sanne)
    response = client.get(reverse("messaging:attachment", args=[attachment.pk, attachment.url_name]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;") and "Machtiging" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    served = b"".join(response.streaming_content)
    assert served.startswith(b"%PDF-") and len(PdfReader(io.BytesIO(served)).pages) == 1  # rewritten, no metadata


def truncated_jpeg():
    source = media_files.jpeg_with_gps()
    return source[: len(source) // 3]


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (lambda: [pdf("brief.pdf", b"Dit is geen PDF maar tekst")], "brief.pdf cannot be attached"),
        (lambda: [photo("foto.jpg", b"<html><script>alert(1)</script></html>")], "foto.jpg cannot be attached"),
        (lambda: [pdf("kapot.pdf", media_files.pdf_document()[:200])], "kapot.pdf is damaged"),
        (lambda: [photo("kapot.jpg", truncated_jpeg())], "damaged"),
        (lambda: [photo("leeg.jpg", b"")], "leeg.jpg is empty"),
        (lambda: [photo(f"{n}.jpg") for n in range(5)], "At most 4 attachments"),
        (
            lambda: [SimpleUploadedFile("film.mp4", media_files.mp4(1.0), "video/mp4")],
            "film.mp4 cannot be attached",
        ),
        (lambda: [photo("goed.jpg"), pdf("slecht.pdf", b"%PDF-1.4 niets")], "slecht.pdf is damaged"),
    ],
    ids=["fake-pdf", "html-as-photo", "broken-pdf", "broken-photo", "empty", "five-files", "video", "one-bad-of-two"],
)
def test_broken_fake_and_too_many_files_are_refused_and_nothing_is_saved(client, world, files, message):
    login(client, world.anna)
    response = client.post(
        reverse("messaging:new"), {"child": world.bo.pk, "body": "Zie bijlage", "key": "f1", "files": files()}
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not Thread.objects.exists() and not Message.objects.exists() and not Attachment.objects.exists()


def test_too_large_files_are_refused(world, settings):
    settings.MESSAGE_MAX_PDF_BYTES = 1024
    big = media_files.pdf_document("x" * 2000)
    with pytest.raises(Exception, match="at most 0 MB for a PDF|too large"):
        start(world, files=[pdf("groot.pdf", big)])
    settings.MEDIA_MAX_PHOTO_BYTES = 1000
    with pytest.raises(Exception, match="too large"):
        start(world, files=[photo("groot.jpg")])
    assert not Thread.objects.exists() and not Attachment.objects.exists()


# ---------------------------------------------------------------- double submits


def test_the_same_form_sent_twice_makes_one_message(client, world):
    login(client, world.anna)
    data = {"child": world.bo.pk, "body": "Oma haalt haar op", "key": "dubbel-1", "files": [photo()]}
    first = client.post(reverse("messaging:new"), data)
    data["files"] = [photo()]
    again = client.post(reverse("messaging:new"), data)
    assert first["Location"] == again["Location"]
    assert Thread.objects.count() == 1 and Message.objects.count() == 1 and Attachment.objects.count() == 1
    thread = Thread.objects.get()
    for _ in range(2):
        client.post(reverse("messaging:thread", args=[thread.pk]), {"body": "En nog iets", "key": "dubbel-2"})
    assert thread.messages.count() == 2
    # Another key is another message; the same key of another person too.
    client.post(reverse("messaging:thread", args=[thread.pk]), {"body": "En nog iets", "key": "dubbel-3"})
    login(client, world.sanne)
    client.post(reverse("messaging:thread", args=[thread.pk]), {"body": "Prima", "key": "dubbel-3"})
    assert thread.messages.count() == 4


def test_every_form_has_a_fresh_key(client, world):
    login(client, world.anna)
    first = page_of(client, "messaging:new")
    second = page_of(client, "messaging:new")

    def key(page):
        return page.split('name="key" value="', 1)[1].split('"', 1)[0]

    assert len(key(first)) == 32 and key(first) != key(second)


# ---------------------------------------------------------------- read state and counts


def test_read_marks_are_per_person_and_only_count_others_messages(world):
    GroupStaff.objects.create(user=world.olga, group=world.a.babies)  # a colleague of Sanne's
    forget(world.olga)
    thread = start(world)
    assert selectors.unread_total(world.sanne) == 1
    staff_reply(world, thread)
    assert selectors.unread_total(world.sanne) == 0  # who answers has read it; her own reply does not count
    assert selectors.unread_total(world.olga) == 1  # the family's message; a colleague's reply does not
    assert selectors.unread_total(world.anna) == 1
    services.thread_mark_read(user=world.anna, thread=thread)
    assert selectors.unread_total(world.anna) == 0 and selectors.unread_total(world.sanne) == 0
    services.message_add(author=world.anna, thread=thread, body="Nog iets", by_staff=False)
    assert selectors.unread_total(world.sanne) == 1 and selectors.unread_total(world.anna) == 0
    services.thread_mark_read(user=world.sanne, thread=thread)
    assert selectors.unread_total(world.sanne) == 0 and selectors.unread_total(world.olga) == 2
    assert ReadMark.objects.filter(thread=thread).count() == 2  # anna, sanne


def test_nobody_else_counts_anything(world):
    start(world)
    for user in (world.bert, world.paula, world.adam, world.otto, world.oscar, world.olga, world.nobody):
        assert selectors.unread_total(user) == 0


def test_unread_total_is_one_query_however_much_there_is(world, django_assert_num_queries):
    thread = start(world)
    for user in (world.anna, world.sanne):
        roles_access.roles_of(user)  # read once per request anyway (the navigation needs the roles)
        with django_assert_num_queries(1):
            selectors.unread_total(user)
    for n in range(10):
        staff_reply(world, thread, body=f"Antwoord {n}")
        start(world, author=world.bert, child=world.lin, body=f"Vraag {n}", key=f"more-{n}")
    for user in (world.anna, world.sanne):
        with django_assert_num_queries(1):
            total = selectors.unread_total(user)
        assert total == 10  # Anna: the ten answers; Sanne: Bert's ten questions (answering Anna read hers)


def fill(world, n):
    for i in range(n):
        thread = start(world, body=f"Vraag {i}", key=f"fill-{i}-{Thread.objects.count()}")
        staff_reply(world, thread, body=f"Antwoord {i}")
        services.message_add(
            author=world.anna, thread=thread, body="Dank", by_staff=False, files=[pdf()] if i % 3 == 0 else ()
        )


@pytest.mark.parametrize(
    ("who", "url"),
    [
        ("anna", lambda w: reverse("messaging:inbox")),
        ("sanne", lambda w: reverse("messaging:group_inbox", args=[w.a.babies.pk])),
        ("sanne", lambda w: reverse("messaging:group_inbox", args=[w.a.babies.pk]) + "?q=Vraag&state=all"),
        ("anna", lambda w: reverse("messaging:thread", args=[Thread.objects.order_by("id").first().pk])),
        ("sanne", lambda w: reverse("messaging:thread", args=[Thread.objects.order_by("id").first().pk])),
    ],
)
def test_pages_take_the_same_number_of_queries_with_more_data(client, world, who, url):
    fill(world, 2)
    login(client, getattr(world, who))
    client.get(url(world))  # the first visit writes the read mark
    with CaptureQueriesContext(connection) as few:
        assert client.get(url(world)).status_code == 200
    fill(world, 25)
    thread = Thread.objects.order_by("id").first()
    for i in range(40):
        services.message_add(
            author=world.anna, thread=thread, body=f"Extra {i}", by_staff=False, files=[pdf()] if i % 5 == 0 else ()
        )
    client.get(url(world))
    with CaptureQueriesContext(connection) as many:
        response = client.get(url(world))
    assert response.status_code == 200
    assert len(many) == len(few), [q["sql"] for q in many.captured_queries]
    assert len(many) <= 20  # session, user, roles (4), badges, the page itself


def test_lists_are_paginated(client, world):
    fill(world, 23)
    login(client, world.anna)
    first = page_of(client, "messaging:inbox")
    assert first.count('class="thread-row') == 20 and "page 1 of 2" in first
    assert page_of(client, "messaging:inbox", page=2).count('class="thread-row') == 3


def test_a_long_thread_shows_the_newest_and_links_to_earlier(client, world):
    thread = start(world, body="Eerste bericht")
    for i in range(35):
        services.message_add(author=world.anna, thread=thread, body=f"Bericht {i}", by_staff=False)
    login(client, world.sanne)
    page = page_of(client, "messaging:thread", thread.pk)
    assert "Bericht 34" in page and "Eerste bericht" not in page and "Earlier messages" in page
    older = page.split('href="?before=', 1)[1].split('"', 1)[0]
    assert "Eerste bericht" in page_of(client, "messaging:thread", thread.pk, before=older)


# ---------------------------------------------------------------- the phone notice


@pytest.mark.parametrize("name", ["messaging:inbox", "messaging:new", "messaging:thread"])
def test_guardian_screens_say_urgent_matters_go_by_phone(client, world, name):
    thread = start(world)
    login(client, world.anna)
    page = page_of(client, name, *([thread.pk] if name == "messaging:thread" else []))
    assert "Urgent? Please call." in page
    assert 'href="tel:0301112233"' in page and "030 111 22 33" in page


# ---------------------------------------------------------------- who may see what


def test_who_sees_a_thread(client, world):
    thread = start(world)
    services.message_add(author=world.anna, thread=thread, body="", files=[pdf()], by_staff=False)
    attachment = Attachment.objects.get()
    olga_here = make_user("kim@example.test", "Kim Peuters")
    GroupStaff.objects.create(user=olga_here, group=world.a.toddlers)  # staff of another group, same organisation
    for user, thread_status, inbox_status in [
        (world.anna, 200, 403),
        (world.sanne, 200, 200),
        (world.bert, 404, 403),
        (world.paula, 404, 403),
        (world.adam, 404, 403),
        (olga_here, 404, 403),
        (world.otto, 404, 404),
        (world.oscar, 404, 404),
        (world.olga, 404, 404),
    ]:
        login(client, user)
        assert client.get(reverse("messaging:thread", args=[thread.pk])).status_code == thread_status, user
        assert (
            client.get(reverse("messaging:attachment", args=[attachment.pk, "x.pdf"])).status_code == thread_status
        ), user
        assert client.get(reverse("messaging:group_inbox", args=[world.a.babies.pk])).status_code == inbox_status, user
        assert client.post(reverse("messaging:thread", args=[thread.pk]), {"body": "hoi"}).status_code in (
            thread_status if thread_status == 404 else 302,
        )


# ---------------------------------------------------------------- the API


def api(client, user, method, path, **kwargs):
    _token, raw = api_token_create(user=user, device_name="test", second_factor=True)
    url = path if path.startswith("/api/v1/") else f"/api/v1{path}"
    return getattr(client, method)(url, HTTP_AUTHORIZATION=f"Bearer {raw}", **kwargs)


def test_api_conversation_from_start_to_handled(client, world, committed):
    response = api(
        client,
        world.anna,
        "post",
        "/messages/threads",
        data={"child_id": world.bo.pk, "subject": "Ophalen", "body": "Oma haalt haar op", "idempotency_key": "a1"},
    )
    assert response.status_code == 201, response.content
    [created] = response.json()["threads"]
    assert created["child_name"] == "Bo" and created["group_name"] == "Baby's"
    again = api(
        client,
        world.anna,
        "post",
        "/messages/threads",
        data={"child_id": world.bo.pk, "body": "Oma haalt haar op", "idempotency_key": "a1"},
    )
    assert again.json()["threads"][0]["id"] == created["id"] and Thread.objects.count() == 1

    listed = api(client, world.sanne, "get", f"/messages/threads?group_id={world.a.babies.pk}&state=open").json()
    assert listed["count"] == 1 and listed["items"][0]["unread"] == 1
    assert api(client, world.sanne, "get", "/messages/unread").json() == {"count": 1}
    assert api(client, world.sanne, "get", "/messages/threads?q=oma").json()["count"] == 1
    assert api(client, world.sanne, "get", "/messages/threads?q=niets").json()["count"] == 0

    with committed():
        reply = api(
            client,
            world.sanne,
            "post",
            f"/messages/threads/{created['id']}/messages",
            data={"body": "Prima, tot straks", "idempotency_key": "s1", "files": [photo()]},
        )
    assert reply.status_code == 201, reply.content
    [attachment] = reply.json()["attachments"]
    assert attachment["kind"] == "photo" and attachment["thumbnail_url"].endswith("?size=thumb")
    assert Notification.objects.filter(user=world.anna, kind="message").count() == 1

    detail = api(client, world.anna, "get", f"/messages/threads/{created['id']}").json()
    assert [m["body"] for m in detail["messages"]] == ["Oma haalt haar op", "Prima, tot straks"]
    assert detail["unread"] == 1 and detail["can_reply"] and detail["urgent_phone_link"] == "tel:0301112233"
    file = api(client, world.anna, "get", attachment["url"])
    assert file.status_code == 200 and file["Content-Type"] == "image/jpeg"
    read = api(client, world.anna, "post", f"/messages/threads/{created['id']}/read").json()
    assert read == {"unread": 0, "total": 0}

    handled = api(client, world.sanne, "post", f"/messages/threads/{created['id']}/handled?handled=true").json()
    assert handled["handled"] is True
    assert api(client, world.sanne, "get", "/messages/threads?state=open").json()["count"] == 0
    assert api(client, world.sanne, "post", f"/messages/threads/{created['id']}/handled").json()["handled"] is False


def test_api_staff_write_to_all_families_and_bad_files(client, world):
    response = api(
        client,
        world.sanne,
        "post",
        "/messages/threads",
        data={"group_id": world.a.babies.pk, "all_families": "true", "body": "Morgen zwemmen!", "files": [pdf()]},
    )
    assert response.status_code == 201, response.content
    assert {t["child_name"] for t in response.json()["threads"]} == {"Bo", "Lin"}
    bad = api(
        client,
        world.sanne,
        "post",
        "/messages/threads",
        data={"group_id": world.a.babies.pk, "child_id": world.bo.pk, "body": "x", "files": [pdf("nep.pdf", b"nep")]},
    )
    assert bad.status_code == 422 and "nep.pdf cannot be attached" in bad.json()["error"]["message"]
    assert Thread.objects.count() == 2


def test_api_reply_after_the_child_left_the_group_is_refused_with_the_reason(client, world):
    thread = start(world)
    Placement.objects.filter(child=world.bo).update(end_date=TODAY - dt.timedelta(days=1))
    response = api(client, world.anna, "post", f"/messages/threads/{thread.pk}/messages", data={"body": "Hallo"})
    assert response.status_code == 403 and "new conversation" in response.json()["error"]["message"]
    detail = api(client, world.anna, "get", f"/messages/threads/{thread.pk}").json()
    assert detail["can_reply"] is False and detail["reply_blocked_reason"]


def test_api_body_comes_back_as_written(client, world):
    thread = start(world, body="<b>vet</b> & <script>x</script>")
    response = api(client, world.anna, "get", f"/messages/threads/{thread.pk}")
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["messages"][0]["body"] == "<b>vet</b> & <script>x</script>"


def test_the_messages_api_is_in_the_openapi(client, world):
    spec = json.loads(client.get("/api/v1/openapi.json").content)
    paths = spec["paths"]
    assert {"get", "post"} <= set(paths["/api/v1/messages/threads"])
    for path in (
        "/api/v1/messages/threads/{thread_id}",
        "/api/v1/messages/threads/{thread_id}/messages",
        "/api/v1/messages/threads/{thread_id}/read",
        "/api/v1/messages/threads/{thread_id}/handled",
        "/api/v1/messages/unread",
        "/api/v1/messages/attachments/{attachment_id}/file",
    ):
        assert path in paths, path
    body = paths["/api/v1/messages/threads/{thread_id}/messages"]["post"]["requestBody"]["content"]
    assert "multipart/form-data" in body


# ---------------------------------------------------------------- the demo


def test_the_demo_conversations(client, db):
    from django.core.management import call_command

    from portal.demo import DEMO_PASSWORD

    call_command("load_demo")
    ouder = User.objects.get(email="ouder@demo.test")
    staff = User.objects.get(email="medewerker@demo.test")
    threads = messaging_access.visible_threads(ouder)
    assert threads.filter(subject="Oma haalt Noor vandaag op", handled_at__isnull=False).exists()
    assert threads.filter(subject="Wil je morgen zwemkleding meegeven?").count() == 1  # one per family
    assert {t.group.name for t in threads} == {"Rupsjes", "De Boomhut"}
    assert selectors.unread_total(ouder) >= 1 and selectors.unread_total(staff) >= 1
    client.post("/accounts/login/", {"email": "ouder@demo.test", "password": DEMO_PASSWORD})
    page = client.get(reverse("messaging:inbox")).content.decode()
    assert "zwemkleding" in page and 'class="badge unread"' in page and "tel:" in page


# ---------------------------------------------------------------- stale keys and departed children


def test_a_key_used_for_another_conversation_is_refused_not_answered_with_it(world):
    """A key from an old form must never return a conversation the writer may no longer read."""
    first = start(world, key="k-1", body="Oma haalt Bo op")
    with pytest.raises(ValidationError, match="sent before"):
        start(world, child=world.mo, key="k-1", body="Mo heeft koorts")
    assert Thread.objects.get() == first
    with pytest.raises(ValidationError, match="sent before"):
        services.message_add(author=world.anna, thread=start(world, key="k-2"), body="x", key="k-1", by_staff=False)


def test_staff_no_longer_read_the_conversations_of_a_child_who_left(client, world):
    thread = start(world, child=world.bo)
    assert messaging_access.visible_threads(world.sanne).filter(pk=thread.pk).exists()
    Placement.objects.filter(child=world.bo).update(end_date=TODAY - dt.timedelta(days=1))
    login(client, world.sanne)
    assert client.get(reverse("messaging:thread", args=[thread.pk])).status_code == 404
    assert selectors.unread_total(world.sanne) == 0
    login(client, world.anna)  # the family keeps its conversation
    assert client.get(reverse("messaging:thread", args=[thread.pk])).status_code == 200


def test_opening_the_conversation_reads_its_notification(client, world, committed):
    thread = start(world)
    staff_reply(world, thread, committed=committed)
    assert Notification.objects.get(user=world.anna).read_at is None
    login(client, world.anna)
    client.get(reverse("messaging:thread", args=[thread.pk]))
    assert Notification.objects.get(user=world.anna).read_at is not None


def test_quick_messages_start_a_reply_with_the_childs_name_and_the_organisation_writes_its_own(client, world):
    from portal.core.models import AuditEntry
    from portal.messaging import services as messaging_services

    thread = messaging_services.thread_start(
        author=world.anna, child=world.bo, group=world.a.babies, subject="", body="Hallo", by_staff=False
    )
    url = reverse("messaging:thread", args=[thread.pk])
    login(client, world.anna)
    html = client.get(url).content.decode()
    assert "Bo is ill and stays at home today" in html and "Bo is picked up today by …" in html
    prefilled = client.get(url, {"quick": "0"}).content.decode()  # without JavaScript
    assert ">Bo is picked up today by </textarea>" in prefilled
    assert client.get(url, {"quick": "99"}).status_code == 200

    login(client, world.adam)
    edit = reverse("messaging:quick_messages", args=[world.a.org.pk])
    too_long = client.post(edit, {"texts": "komt later\n" + "x" * 121})
    assert too_long.status_code == 400 and "too long" in too_long.content.decode()
    assert client.post(edit, {"texts": "komt later\n\n  gaat met opa mee  \n"}).status_code == 302
    assert AuditEntry.objects.filter(action="messaging.quick_messages.changed").count() == 1

    login(client, world.anna)
    html = client.get(url).content.decode()
    assert "Bo komt later" in html and "Bo gaat met opa mee" in html and "is ill" not in html
    login(client, world.sanne)  # staff answer families; the quick messages are the families'
    assert "Bo komt later" not in client.get(url).content.decode()
