import json

from portal.accounts.services import api_token_create
from portal.organisations.models import RosterPattern
from portal.planning.models import Absence


def auth(user, second_factor=False):
    _token, raw = api_token_create(user=user, device_name="test", second_factor=second_factor)
    return {"HTTP_AUTHORIZATION": f"Bearer {raw}"}


def post(client, url, body, headers):
    return client.post(url, json.dumps(body), content_type="application/json", **headers)


def test_absence_with_swap_through_the_app_and_the_planners_decision(client, world):
    for weekday in range(5):
        for part in ("morning", "afternoon"):
            RosterPattern.objects.create(group=world.a.babies, weekday=weekday, day_part=part, professionals=2)
    anna = auth(world.anna)
    body = {"date": "2026-11-30", "reason": "holiday", "swap_date": "2026-12-01"}
    first = post(client, f"/api/v1/children/{world.bo.pk}/absences", body, anna)
    again = post(client, f"/api/v1/children/{world.bo.pk}/absences", body, anna)
    assert first.status_code == 201 and again.status_code == 200
    assert Absence.objects.count() == 1
    swap = first.json()["swap"]
    assert swap["state"] == "pending" and swap["absence_date"] == "2026-11-30"

    queue = client.get("/api/v1/planning/queue", **auth(world.paula)).json()["items"]
    assert [item["request"]["id"] for item in queue] == [swap["id"]]
    assert queue[0]["fits"] is True and queue[0]["parts"][0]["counts"] == [1, 0, 0, 0]

    decided = post(client, f"/api/v1/planning/requests/{swap['id']}/decision", {"approve": True}, auth(world.paula))
    assert decided.status_code == 200 and decided.json()["state"] == "approved"
    twice = post(client, f"/api/v1/planning/requests/{swap['id']}/decision", {"approve": False}, auth(world.paula))
    assert twice.status_code == 409

    days = client.get(f"/api/v1/children/{world.bo.pk}/calendar?start=2026-11-30&end=2026-12-01", **anna).json()
    assert days[0]["absent"] is True and days[1]["requests"] == [swap["id"]]


def test_refusals_come_with_the_reason(client, world):
    response = post(
        client,
        f"/api/v1/children/{world.fien.pk}/absences",
        {"date": "2026-12-21", "reason": "sick"},
        auth(world.carla),
    )
    assert response.status_code == 422 and "15 december 2026" in response.json()["error"]["message"]
    wrong = post(
        client, f"/api/v1/children/{world.bo.pk}/absences", {"date": "2026-11-30", "reason": "bored"}, auth(world.anna)
    )
    assert wrong.status_code == 422


def test_credits_through_the_app(client, world):
    post(client, f"/api/v1/children/{world.bo.pk}/absences", {"date": "2026-11-30", "reason": "sick"}, auth(world.anna))
    credits = client.get(f"/api/v1/children/{world.bo.pk}/credits", **auth(world.anna)).json()
    assert credits["balance"] == {"dagopvang": 1}
    assert credits["credits"][0]["expires_on"] == "2027-11-30"
    assert [e["kind"] for e in credits["history"]] == ["earned"]


def test_the_planning_endpoints_are_in_the_openapi(client, db):
    paths = client.get("/api/v1/openapi.json").json()["paths"]
    for path in (
        "/api/v1/children/{child_id}/calendar",
        "/api/v1/children/{child_id}/absences",
        "/api/v1/children/{child_id}/extra-days",
        "/api/v1/children/{child_id}/credits",
        "/api/v1/planning/queue",
        "/api/v1/planning/requests/{request_id}/decision",
    ):
        assert path in paths
