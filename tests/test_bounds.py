"""Bad input gets a clear 4xx or form error, never a 500, on the pages and in the API; every API
error has one shape. (Also run on PostgreSQL, where a NUL byte in a text fails in the database.)"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from ninja import Schema

from portal.accounts.services import api_token_create
from portal.backoffice.forms import ChildFields, RosterExceptionForm
from portal.core import bounds
from portal.diary.models import DiaryEntry, DiaryExport, DiaryTemplate
from portal.messaging.models import Message
from portal.planning import services as planning_services
from portal.planning.forms import ExtraDayForm
from tests.conftest import login

HUGE = "99999999999999999999999"
BEYOND_BIGINT_PAGE = "4081468794319900074603184128"


def bearer(user, second_factor=False) -> dict:
    _token, raw = api_token_create(user=user, device_name="test", second_factor=second_factor)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def send(client, method, path, body, headers):
    return getattr(client, method)(f"/api/v1{path}", json.dumps(body), content_type="application/json", **headers)


def error_of(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "fields"}
    assert body["error"]["code"] == code and body["error"]["message"]
    return body["error"]


# ---- one error shape


def test_no_token_is_401_in_the_callers_language(client, db):
    dutch = error_of(client.get("/api/v1/news"), 401, "not_authenticated")
    english = error_of(client.get("/api/v1/news", HTTP_ACCEPT_LANGUAGE="en"), 401, "not_authenticated")
    assert "Log in" in english["message"] and dutch["message"] != english["message"]


def test_refusals_are_403_json_never_a_500_or_a_page(client, world):
    anna = bearer(world.anna)
    error_of(client.get("/api/v1/planning/queue", **anna), 403, "not_allowed")
    body = {"audience": f"group:{world.a.babies.pk}", "title": "Hallo", "body": "Tekst"}
    error_of(send(client, "post", "/news", body, anna), 403, "not_allowed")
    sanne = bearer(world.sanne)
    assert client.get("/api/v1/planning/queue", **sanne).status_code == 403


def test_unknown_objects_and_paths_are_404_json(client, world):
    anna = bearer(world.anna)
    error_of(client.get(f"/api/v1/children/{world.olle.pk}/calendar", **anna), 404, "not_found")
    assert "child_id" in error_of(client.get("/api/v1/children/-1/calendar", **anna), 422, "invalid")["fields"]
    error_of(client.get("/api/v1/no/such/thing", **anna), 404, "not_found")


def test_validation_is_422_with_the_fields(client, world):
    anna = bearer(world.anna)
    error = error_of(
        send(client, "post", f"/children/{world.bo.pk}/absences", {"reason": "bored"}, anna), 422, "invalid"
    )
    assert set(error["fields"]) == {"date", "reason"}
    english = error_of(
        send(client, "post", f"/children/{world.bo.pk}/absences", {"reason": "sick"}, {**anna}), 422, "invalid"
    )
    assert english["fields"]["date"] == ["Dit veld is verplicht."]  # Anna's language: Dutch


def test_unreadable_bodies_are_400_and_too_large_413(client, world):
    anna = bearer(world.anna)
    bad_json = client.post(
        f"/api/v1/children/{world.bo.pk}/absences", "{not json", content_type="application/json", **anna
    )
    error_of(bad_json, 400, "bad_request")
    no_boundary = client.generic(
        "POST", "/api/v1/messages/threads", b"--x\r\n", content_type="multipart/form-data", **anna
    )
    error_of(no_boundary, 400, "bad_request")
    huge = {"date": "2026-11-30", "reason": "sick", "note": "x" * (6 * 1024 * 1024)}
    error_of(send(client, "post", f"/children/{world.bo.pk}/absences", huge, anna), 413, "too_large")


def test_conflicts_are_409(client, world):
    planner = bearer(world.paula)
    swap = send(
        client,
        "post",
        f"/children/{world.bo.pk}/absences",
        {"date": "2026-11-30", "reason": "holiday", "swap_date": "2026-12-01"},
        bearer(world.anna),
    ).json()["swap"]
    send(client, "post", f"/planning/requests/{swap['id']}/decision", {"approve": False}, planner)
    again = send(client, "post", f"/planning/requests/{swap['id']}/decision", {"approve": False}, planner)
    error_of(again, 409, "conflict")


def test_throttling_is_429(client, world):
    for _ in range(6):
        response = send(
            client, "post", "/auth/token", {"email": "anna@example.test", "password": "x", "device_name": "t"}, {}
        )
    error_of(response, 429, "too_many_requests")


def test_the_openapi_declares_the_errors_of_each_operation(client, db):
    schema = client.get("/api/v1/openapi.json").json()
    assert set(schema["components"]["schemas"]["ErrorDetail"]["properties"]) == {"code", "message", "fields"}
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            responses = operation["responses"]
            if operation.get("security"):
                assert {"401", "403"} <= set(responses), (method, path)
            if operation.get("parameters") or "requestBody" in operation:
                assert {"404", "422"} <= set(responses), (method, path)
            if "requestBody" in operation:
                assert {"400", "413"} <= set(responses), (method, path)
            for status, response in responses.items():
                if status.startswith(("4", "5")):
                    assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    preferences = schema["components"]["schemas"]["PreferencesOut"]["properties"]
    assert preferences["digest_time"]["pattern"] == "^([01][0-9]|2[0-3]):[0-5][0-9]$"


def test_no_two_api_schemas_share_a_name(client, db):
    import portal.api.api  # noqa: F401  (every schema of the API is defined)

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    seen: dict[str, set[str]] = {}
    for cls in subclasses(Schema):
        if cls.__module__.startswith("portal."):
            seen.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {name: modules for name, modules in seen.items() if len(modules) > 1} == {}


# ---- pagination and ids


def test_pages_are_bounded_and_beyond_the_last_is_empty(client, world):
    anna = bearer(world.anna)
    error = error_of(client.get(f"/api/v1/news?page={BEYOND_BIGINT_PAGE}", **anna), 422, "invalid")
    assert "page" in error["fields"]
    assert client.get("/api/v1/news?size=1000", **anna).status_code == 422
    empty = client.get("/api/v1/news?page=500", **anna).json()
    assert empty["items"] == [] and empty["page"] == 500
    threads = client.get(f"/api/v1/messages/threads?page={BEYOND_BIGINT_PAGE}", **anna)
    error_of(threads, 422, "invalid")
    assert set(client.get("/api/v1/messages/threads", **anna).json()) == {"count", "page", "pages", "items"}


@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", f"/media/{HUGE}", None),
        ("get", f"/news/{HUGE}", None),
        ("get", f"/children/{HUGE}/calendar", None),
        ("get", f"/media?before={HUGE}", None),
        ("get", f"/notifications?before_id={HUGE}", None),
        ("put", "/media/1/tags", {"children": [int(HUGE)]}),
        ("post", "/notifications/read", {"ids": [int(HUGE)]}),
        ("post", "/news", {"audience": f"group:{HUGE}", "title": "x", "body": "y"}),
    ],
)
def test_ids_beyond_64_bits_are_refused(client, world, method, path, body):
    headers = bearer(world.sanne)
    response = (
        send(client, method, path, body, headers) if body else getattr(client, method)(f"/api/v1{path}", **headers)
    )
    assert response.status_code in (404, 422)
    assert "error" in response.json()


# ---- input bounds in the API


def test_notification_times_are_hh_mm(client, world):
    anna = bearer(world.anna)
    for bad in ("19:00:00+01:00", "7:5", "24:00", "19:00\x00"):
        error = error_of(send(client, "put", "/notifications/preferences", {"digest_time": bad}, anna), 422, "invalid")
        assert "digest_time" in error["fields"]
    fine = send(
        client,
        "put",
        "/notifications/preferences",
        {"digest_time": "07:30", "quiet_start": "21:00", "quiet_end": "07:00"},
        anna,
    )
    assert fine.status_code == 200 and fine.json()["digest_time"] == "07:30"


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/children/{bo}/absences", {"date": "9999-12-27", "reason": "sick"}, "date"),
        ("/children/{bo}/absences", {"date": "2026-11-30", "reason": "sick", "note": "ziek\x00"}, "note"),
        ("/children/{bo}/extra-days", {"date": "9999-12-31", "day_parts": ["morning"]}, "date"),
        ("/children/{bo}/diary", {"date": "2026-11-25", "text": "Fijne dag\x00"}, "text"),
        ("/children/{bo}/diary", {"date": "1800-01-01", "text": "Oud"}, "date"),
        (
            "/children/{bo}/diary",
            {"date": "2026-11-25", "sleeps": [{"from": "09:00", "to": "10:00"}] * 10_000},
            "sleeps",
        ),
        ("/children/{bo}/diary/pdf", {"first_day": "0001-01-01"}, "first_day"),
    ],
)
def test_bad_input_in_the_api_is_422_with_a_message(client, world, path, body, field):
    headers = bearer(world.sanne) if "diary" in path else bearer(world.anna)
    error = error_of(send(client, "post", path.format(bo=world.bo.pk), body, headers), 422, "invalid")
    assert field in error["fields"] and error["fields"][field][0]
    assert not DiaryEntry.objects.exists()


def test_nul_in_a_message_is_refused_before_the_database(client, world):
    response = client.post(
        "/api/v1/messages/threads",
        {"child_id": world.bo.pk, "body": "Hallo\x00daar"},
        **bearer(world.anna),
    )
    error = error_of(response, 422, "invalid")
    assert "control character" in error["message"] or "teken" in error["message"]
    assert not Message.objects.exists()


def test_calendar_far_ahead_is_422_not_an_overflow(client, world):
    anna = bearer(world.anna)
    response = client.get(f"/api/v1/children/{world.bo.pk}/calendar?start=9999-12-31", **anna)
    assert "start" in error_of(response, 422, "invalid")["fields"]


def test_a_search_with_nul_or_50000_characters_is_answered(client, world):
    anna = bearer(world.anna)
    assert client.get("/api/v1/messages/threads", {"q": "a\x00b"}, **anna).status_code == 200
    assert client.get("/api/v1/messages/threads", {"q": "woord " * 10_000}, **anna).status_code == 200


def test_the_diary_pdf_is_not_cached(client, world):
    export = DiaryExport.objects.create(child=world.bo, requested_by=world.sanne)
    export.file.save("dagboek.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    response = client.get(f"/api/v1/diary/exports/{export.pk}/file", **bearer(world.sanne))
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


# ---- the pages


@pytest.mark.parametrize(
    "url",
    [
        "/children/{bo}/planning/?month=9999-12",
        "/children/{bo}/planning/?month=0-0",
        "/groups/{babies}/?date=9999-12-31",
        "/locations/{centrum}/?date=9999-12-31",
        "/locations/{centrum}/day/?date=9999-12-31",
        "/children/{bo}/diary/write/?template=x",
        "/children/{bo}/diary/write/?template=" + HUGE,
        "/photos/?child=\u00b2&before=" + HUGE,
    ],
)
def test_odd_query_strings_on_pages_answer_without_error(client, world, url):
    login(client, world.paula if "day" in url else world.sanne if "diary" in url else world.anna)
    if "groups" in url or "locations/{centrum}/?" in url:
        login(client, world.sanne if "groups" in url else world.paula)
    response = client.get(url.format(bo=world.bo.pk, babies=world.a.babies.pk, centrum=world.a.centrum.pk))
    assert response.status_code == 200


def test_odd_numbers_in_forms_and_cursors(client, world):
    login(client, world.sanne)
    url = f"/children/{world.bo.pk}/diary/write/"
    for ml in ("\u00b2", "9" * 5000):
        response = client.post(
            url, {"date": "2026-11-25", "feed-0-time": "10:00", "feed-0-ml": ml, "action": "publish"}
        )
        assert response.status_code == 400 and "500 ml" in response.content.decode()
    login(client, world.anna)
    thread = client.post("/messages/new/", {"child": world.bo.pk, "subject": "Vraag", "body": "Hallo"})
    assert thread.status_code == 302
    assert client.get(thread["Location"].split("#")[0] + "?before=" + HUGE).status_code == 200


def test_the_children_search_takes_nul_and_long_input(client, world):
    login(client, world.adam)
    base = f"/manage/{world.a.org.pk}/children/"
    for q in ("Bo\x00", "a " * 25_000, "x" * 50_000):
        assert client.get(base, {"q": q, "location": HUGE, "group": "x"}).status_code == 200


def test_the_web_diary_keeps_the_apis_text_limit_and_refuses_nul(client, world):
    login(client, world.sanne)
    url = f"/children/{world.bo.pk}/diary/write/"
    too_long = client.post(url, {"date": "2026-11-25", "text": "x" * 100_000, "action": "publish"})
    assert too_long.status_code == 400 and "10000" in too_long.content.decode().replace(".", "")
    nul = client.post(url, {"date": "2026-11-25", "text": "Hallo\x00", "action": "publish"})
    assert nul.status_code == 400
    assert not DiaryEntry.objects.exists()


def test_the_web_message_refuses_nul(client, world):
    login(client, world.anna)
    response = client.post("/messages/new/", {"child": world.bo.pk, "body": "Hallo\x00daar", "subject": "Vraag"})
    assert response.status_code in (200, 400)
    assert not Message.objects.exists()


def test_far_dates_in_forms_are_form_errors(world):
    assert (
        "date"
        in RosterExceptionForm(
            world.a.centrum,
            data={"group": world.a.babies.pk, "date": "9999-12-31", "day_part": "morning", "professionals": 1},
        ).errors
    )
    assert "day" in ExtraDayForm(data={"day": "9999-12-31", "day_parts": ["morning"]}).errors
    child_form = ChildFields(data={"first_name": "A", "last_name": "B", "birth_date": "9999-12-31"})
    assert "birth_date" in child_form.errors
    with pytest.raises(ValidationError):
        planning_services.absence_report(user=world.anna, child=world.bo, day=dt.date(9999, 12, 27), reason="sick")


def test_the_bounds_themselves():
    assert bounds.parse_date("9999-12-31") is None and bounds.parse_date("2026-11-25") == dt.date(2026, 11, 25)
    assert bounds.parse_month("9999-12") is None and bounds.parse_month("2026-11") == dt.date(2026, 11, 1)
    assert bounds.parse_id(HUGE) is None and bounds.parse_id("x") is None and bounds.parse_id("12") == 12
    assert bounds.clean_search("a\x00b " + "c" * 500) == "ab " + "c" * 97
    assert bounds.check_text("tab\tand\nnew line") == "tab\tand\nnew line"
    with pytest.raises(ValidationError):
        bounds.check_text("\x1b[31m")
    bounds.check_date(bounds.MIN_DATE)
    with pytest.raises(ValidationError):
        bounds.check_date(bounds.MIN_DATE - dt.timedelta(days=1))
    bounds.check_date(bounds.max_date())
    with pytest.raises(ValidationError):
        bounds.check_date(bounds.max_date() + dt.timedelta(days=1))


def test_a_diary_template_is_chosen_by_its_id(client, world):
    template = DiaryTemplate.objects.create(group=world.a.babies, title="Dag", text="Vandaag speelden we buiten.")
    login(client, world.sanne)
    page = client.get(f"/children/{world.bo.pk}/diary/write/?template={template.pk}")
    assert "Vandaag speelden we buiten." in page.content.decode()
