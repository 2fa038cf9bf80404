"""The main pages of guardians and staff on a phone (390×844), in Dutch and English: no
horizontal scrolling, every tab and primary button at least 44×44 px, and axe-core (the copy the
pinned `axe-playwright-python` package ships; no CDN) finds no serious or critical violation.

With SCREENSHOTS_DIR set (`make screenshots`), the same run saves the phone screenshots the
README shows."""

from __future__ import annotations

import datetime as dt
import io
import os
from pathlib import Path

import pytest

from tests.browser.conftest import log_in
from tests.conftest import TODAY

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TARGET = 44  # px: the smallest tap target (WCAG 2.5.5, Apple and Google guidelines)
PRIMARY = ".tabbar a, .top-actions .icon-button, button.primary, a.button, .quick-actions a, .choice-list a"


def axe_source() -> str:
    import axe_playwright_python

    return (Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


def photo(world, child, caption: str, colour) -> int:
    """A processed photo (real JPEG renditions) of `child`, made without the worker."""
    from django.core.files.base import ContentFile

    from portal.media.models import MediaItem, MediaTag, Rendition
    from tests.media_files import picture

    item = MediaItem.objects.create(
        organisation=world.a.org,
        group=world.a.babies,
        uploaded_by=world.sanne,
        upload_key=f"shot-{caption}",
        kind="photo",
        state="ready",
        caption=caption,
    )
    for name, size in (("thumb", (320, 320)), ("screen", (1200, 900))):
        buffer = io.BytesIO()
        picture(*size, colour=colour).save(buffer, "JPEG")
        rendition = Rendition(media=item, name=name, content_type="image/jpeg", width=size[0], height=size[1])
        rendition.file.save(f"{name}.jpg", ContentFile(buffer.getvalue()), save=True)
    MediaTag.objects.create(media=item, child=child)
    return item.pk


def a_day_of_content(world):
    """What a family sees on an ordinary day: a diary page, photos, a conversation, a request."""
    from portal.children.models import Child
    from portal.core import clock
    from portal.diary import services as diary_services
    from portal.messaging import services as messaging_services
    from portal.planning import services as planning_services

    Child.objects.filter(pk=world.bo.pk).update(photo_consent=True)
    diary_services.entry_save(
        author=world.sanne,
        child=world.bo,
        day=TODAY,
        text="Bo heeft vandaag heerlijk in de zandbak gespeeld en goed gegeten.",
        publish=True,
        sleeps=[{"from": "09:30", "to": "10:45"}],
        feeds=[{"time": "12:00", "what": "brood", "ml": ""}],
        nappies=[{"time": "11:15", "kind": "wet"}],
    )
    for number, colour in enumerate([(240, 180, 60), (90, 160, 220), (120, 200, 120)]):
        photo(world, world.bo, f"Buiten spelen {number}", colour)
    thread = messaging_services.thread_start(
        author=world.anna,
        child=world.bo,
        group=world.a.babies,
        subject="",
        body="Oma haalt Bo vandaag op.",
        by_staff=False,
    )
    messaging_services.message_add(
        author=world.sanne, thread=thread, body="Dank je wel, we geven het door!", by_staff=True
    )
    with clock.frozen(dt.datetime(2026, 11, 20, 9, 0)):
        planning_services.extra_day_request(
            user=world.anna,
            child=world.bo,
            day=TODAY + dt.timedelta(days=2),
            day_parts=["morning"],
            pay_with_credit=False,
        )
    return thread


def check_page(page, url: str, axe: str) -> None:
    page.goto(url)
    page.wait_for_load_state("load")
    where = page.url
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px"
    small = page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.textContent.trim().slice(0, 30), e.getBoundingClientRect()])
            .filter(([, r]) => r.width < 44 || r.height < 44)
            .map(([t, r]) => `${t} ${Math.round(r.width)}×${Math.round(r.height)}`)""",
        PRIMARY,
    )
    assert small == [], f"{where}: targets smaller than {TARGET}px: {small}"
    page.evaluate(axe)
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    serious = [
        f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert serious == [], f"{where}: {serious}"


GUARDIAN_PAGES = [
    ("today", lambda w, t: "/home/"),
    ("photos", lambda w, t: "/photos/"),
    ("photo", lambda w, t: f"/photos/{w.first_photo}/"),
    ("diary", lambda w, t: f"/children/{w.bo.pk}/diary/"),
    ("messages", lambda w, t: "/messages/"),
    ("conversation", lambda w, t: f"/messages/{t.pk}/"),
    ("planning", lambda w, t: f"/children/{w.bo.pk}/planning/"),
    ("notifications", lambda w, t: "/notifications/"),
    ("notification-settings", lambda w, t: "/notifications/settings/"),
    ("security", lambda w, t: "/accounts/security/"),
    ("child", lambda w, t: f"/children/{w.bo.pk}/"),
]
STAFF_PAGES = [
    ("staff-today", lambda w, t: "/home/"),
    ("staff-photos", lambda w, t: f"/groups/{w.a.babies.pk}/photos/"),
    ("staff-diary", lambda w, t: f"/groups/{w.a.babies.pk}/diary/"),
    ("staff-diary-write", lambda w, t: f"/children/{w.bo.pk}/diary/write/"),
    ("staff-inbox", lambda w, t: f"/groups/{w.a.babies.pk}/inbox/"),
    ("staff-conversation", lambda w, t: f"/messages/{t.pk}/"),
]


def prepare(world):
    from portal.media.models import MediaItem

    thread = a_day_of_content(world)
    world.first_photo = MediaItem.objects.order_by("-id").values_list("id", flat=True).first()
    return thread


@pytest.mark.parametrize("language", ["nl", "en"])
def test_guardian_pages_fit_a_phone_and_pass_axe(world, live_server, browser, language):
    thread = prepare(world)
    axe = axe_source()
    context, page = log_in(browser, live_server, "anna@example.test")
    if language == "nl":
        page.get_by_text("Menu", exact=True).click()
        page.get_by_role("button", name="Nederlands").click()
        page.wait_for_load_state("load")
    for _name, url in GUARDIAN_PAGES:
        check_page(page, live_server.url + url(world, thread), axe)
    context.close()


@pytest.mark.parametrize("language", ["nl", "en"])
def test_staff_pages_fit_a_phone_and_pass_axe(world, live_server, browser, language):
    thread = prepare(world)
    axe = axe_source()
    context, page = log_in(browser, live_server, "sanne@example.test")
    if language == "nl":
        page.get_by_text("Menu", exact=True).click()
        page.get_by_role("button", name="Nederlands").click()
        page.wait_for_load_state("load")
    for _name, url in STAFF_PAGES:
        check_page(page, live_server.url + url(world, thread), axe)
    context.close()


def test_the_tab_bar_sits_at_the_bottom_of_a_phone_and_in_the_top_bar_of_a_desktop(world, live_server, browser):
    context, page = log_in(browser, live_server, "anna@example.test")
    bar = page.get_by_role("navigation", name="Main menu")
    box = bar.bounding_box()
    assert box is not None and box["y"] + box["height"] == pytest.approx(844, abs=1)
    assert [link.inner_text().split("\n")[0] for link in bar.get_by_role("link").all()] == [
        "Today",
        "Photos",
        "Diary",
        "Messages",
        "Planning",
    ]
    assert bar.get_by_role("link", name="Today").get_attribute("aria-current") == "page"
    page.set_viewport_size({"width": 1280, "height": 800})
    box = bar.bounding_box()
    assert box is not None and box["y"] < 80
    context.close()


@pytest.mark.skipif(not os.environ.get("SCREENSHOTS_DIR"), reason="make screenshots")
def test_screenshots_for_the_readme(world, live_server, browser):
    """`make screenshots`: what a parent and a staff member see, for the README."""
    thread = prepare(world)
    target = Path(os.environ["SCREENSHOTS_DIR"])
    target.mkdir(parents=True, exist_ok=True)
    for email, pages in (
        ("anna@example.test", ["today", "photos", "diary", "conversation", "planning"]),
        ("sanne@example.test", ["staff-today", "staff-diary-write", "staff-photos"]),
    ):
        context, page = log_in(browser, live_server, email, locale="nl-NL")  # as on a Dutch phone
        page.get_by_text("Menu", exact=True).click()
        page.get_by_role("button", name="Nederlands").click()
        page.wait_for_load_state("load")
        if page.get_by_role("button", name="Nu niet").count():
            page.get_by_role("button", name="Nu niet").click()  # the notifications card: a day later
            page.wait_for_load_state("load")
        for name, url in GUARDIAN_PAGES + STAFF_PAGES:
            if name in pages:
                page.goto(live_server.url + url(world, thread))
                page.wait_for_load_state("load")
                page.screenshot(path=str(target / f"{name}.png"))
        context.close()


def test_the_offline_page_shows_the_locations_phone_from_this_device(world, live_server, browser):
    context, page = log_in(browser, live_server, "anna@example.test")
    page.goto(f"{live_server.url}/offline/")  # as the service worker shows it: the same page for everyone
    calls = page.locator(".offline-call a")
    assert calls.first.get_attribute("href") == "tel:0301112233"  # left on the phone by the Today page
    page.goto(f"{live_server.url}/home/")
    page.get_by_text("Menu", exact=True).click()
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(f"{live_server.url}/accounts/login/")
    page.goto(f"{live_server.url}/offline/")
    assert page.locator(".offline-call a").count() == 0  # logging out takes it away
    context.close()
