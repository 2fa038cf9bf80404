"""Guardians give and withdraw their child's photo consent themselves (page and API):
withdrawing hides the photos at once, the group's staff are told, the history records it."""

from __future__ import annotations

import json

from django.urls import reverse
from django.utils.html import escape

from portal.accounts.services import api_token_create
from portal.children.models import Child
from portal.core.models import AuditEntry
from portal.messaging.models import Thread
from tests.conftest import login


def test_withdrawing_asks_for_confirmation_then_hides_the_photos_and_tells_the_group(client, world, committed):
    from tests.test_media import upload

    Child.objects.filter(pk__in=[world.bo.pk, world.lin.pk]).update(photo_consent=True)
    world.bo.refresh_from_db()
    item, _ = upload(world, children=[world.bo, world.lin], committed=committed)
    detail = reverse("media:detail", args=[item.pk])
    page = reverse("home:photo_consent", args=[world.bo.pk])
    login(client, world.anna)
    assert "Bo" in client.get(page).content.decode()
    assert client.get(reverse("home:child", args=[world.bo.pk])).content.decode().count(page) == 1

    refused = client.post(page, {"consent": "no"})  # the box not ticked
    assert refused.status_code == 400 and "bevestig" in refused.content.decode().lower()
    assert Child.objects.get(pk=world.bo.pk).photo_consent is True

    assert client.post(page, {"consent": "no", "confirm": "yes"}).status_code == 302
    assert Child.objects.get(pk=world.bo.pk).photo_consent is False
    for guardian in (world.anna, world.bert):  # hidden for every family at once
        login(client, guardian)
        assert client.get(detail).status_code == 404
    thread = Thread.objects.get(child=world.bo, group=world.a.babies)
    assert "ingetrokken" in thread.subject and thread.started_by == world.anna
    login(client, world.sanne)  # the group's staff see it in their inbox, unread
    inbox = client.get(reverse("messaging:group_inbox", args=[world.a.babies.pk])).content.decode()
    assert escape(thread.subject) in inbox
    entry = AuditEntry.objects.get(action="child.consent.changed")
    assert entry.actor == world.anna and entry.changes["source"] == "guardian"


def test_giving_consent_needs_no_confirmation_and_the_same_choice_twice_changes_nothing(client, world):
    page = reverse("home:photo_consent", args=[world.bo.pk])
    login(client, world.anna)
    assert client.post(page, {"consent": "yes"}).status_code == 302
    assert Child.objects.get(pk=world.bo.pk).photo_consent is True
    assert client.post(page, {"consent": "yes"}).status_code == 302
    assert Thread.objects.filter(child=world.bo).count() == 1
    assert AuditEntry.objects.filter(action="child.consent.changed").count() == 1


def test_only_the_childs_guardians_decide(client, world):
    page = reverse("home:photo_consent", args=[world.bo.pk])
    for other in (world.bert, world.sanne, world.adam, world.otto):
        login(client, other)
        assert client.post(page, {"consent": "yes", "confirm": "yes"}).status_code == 404
    assert Child.objects.get(pk=world.bo.pk).photo_consent is False


def put(client, url, consent, token):
    return client.put(
        url, json.dumps({"consent": consent}), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}"
    )


def test_the_app_changes_it_the_same_way(client, world):
    _token, raw = api_token_create(user=world.anna, device_name="telefoon", second_factor=True)
    url = f"/api/v1/children/{world.bo.pk}/photo-consent"
    answer = put(client, url, True, raw)
    assert answer.status_code == 200 and answer.json() == {"child_id": world.bo.pk, "consent": True, "changed": True}
    assert put(client, url, True, raw).json()["changed"] is False
    _token, bert = api_token_create(user=world.bert, device_name="telefoon", second_factor=True)
    assert put(client, url, False, bert).status_code == 404
    assert Child.objects.get(pk=world.bo.pk).photo_consent is True
