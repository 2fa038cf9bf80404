"""The admin's main flows in a real browser: importing a planning system's export, and adding
a child with two guardians, who then both receive their invitations when due."""

import datetime as dt

import pytest
from django.core.management import call_command
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.children.models import Child
from tests.conftest import PASSWORD, TODAY
from tests.test_two_factor import code_for

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = (
    "child_number,first_name,last_name,birth_date,location,group,start_date,end_date,schedule,"
    "photo_consent,allergies,guardian1_email,guardian1_name,guardian2_email,guardian2_name"
)
GOOD = (
    '2001,Sara,Visser,2025-05-05,Zonnebloem Centrum,Baby\'s,2026-09-01,,"ma,wo",ja,,l.visser@example.nl,Lotte Visser,,'
)
BAD_DATE = "2002,Ties,Visser,31-02-2025,Zonnebloem Centrum,Baby's,2026-09-01,,ma,ja,,l.visser@example.nl,Lotte Visser,,"


def log_in_as_admin(page, live_server, world):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="English").click()
    page.get_by_label("E-mail address").fill("adam@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_label("Code from your authenticator app").fill(code_for(TOTPDevice.objects.get(user=world.adam)))
    page.get_by_role("button", name="Continue").click()
    page.wait_for_url(f"{live_server.url}/home/")


def upload(page, content: str):
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "export.csv", "mimeType": "text/csv", "buffer": content.encode()}]
    )
    page.get_by_role("button", name="Show preview").click()


def test_import_preview_errors_then_confirm(world, live_server, page):
    log_in_as_admin(page, live_server, world)
    page.get_by_role("link", name="Import").first.click()

    upload(page, "\n".join([HEADER, GOOD, BAD_DATE]))
    errors = page.get_by_role("region", name="Errors")
    assert errors.get_by_role("cell", name="3", exact=True).is_visible()
    assert errors.get_by_text("birth_date “31-02-2025” is not a date").is_visible()
    assert page.get_by_role("button", name="Confirm import").count() == 0
    assert not Child.objects.filter(external_id="2001").exists()

    page.get_by_role("link", name="Upload another file").click()
    upload(page, "\n".join([HEADER, GOOD, BAD_DATE.replace("31-02-2025", "28-02-2025")]))
    assert page.get_by_text("to create").is_visible()
    page.get_by_role("button", name="Confirm import").click()
    page.wait_for_url(f"{live_server.url}/manage/{world.a.org.pk}/children/")
    assert page.get_by_text("Imported: 2 created").is_visible()
    assert page.get_by_role("link", name="Visser, Sara").is_visible()
    assert Child.objects.filter(external_id__in=["2001", "2002"]).count() == 2


def test_add_a_child_with_two_guardians_who_are_invited_when_due(world, live_server, page, smtp_server, settings):
    settings.SITE_URL = live_server.url
    log_in_as_admin(page, live_server, world)
    page.goto(f"{live_server.url}/manage/{world.a.org.pk}/children/new/")
    page.get_by_label("First name").fill("Jip")
    page.get_by_label("Last name").fill("Smit")
    page.get_by_label("Date of birth").fill("2025-08-01")
    page.get_by_label("E-mail of the first guardian").fill("ouder.een@example.test")
    page.get_by_label("Name of the first guardian").fill("Eva Smit")
    page.get_by_label("E-mail of the second guardian").fill("ouder.twee@example.test")
    page.get_by_label("Name of the second guardian").fill("Daan Smit")
    page.get_by_label("Group").select_option(label="Zonnebloem Centrum · Baby's (daycare (0–4))")
    start = TODAY + dt.timedelta(days=50)
    page.get_by_label("First day").fill(start.isoformat())
    page.get_by_label("Monday morning").check()
    page.get_by_label("Monday afternoon").check()
    page.get_by_role("button", name="Add child").click()

    assert page.get_by_role("heading", name="Jip Smit").is_visible()
    guardians = page.get_by_role("region", name="Guardians")
    assert guardians.get_by_text("ouder.een@example.test").is_visible()
    assert guardians.get_by_text("ouder.twee@example.test").is_visible()
    assert smtp_server.messages == []  # 50 days ahead: not yet

    call_command("run_daily", "--date", (start - dt.timedelta(days=42)).isoformat())
    assert sorted(m["To"] for m in smtp_server.messages) == ["ouder.een@example.test", "ouder.twee@example.test"]
