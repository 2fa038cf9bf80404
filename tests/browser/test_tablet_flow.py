"""The group tablet in a real browser on a tablet (820×1180) and a phone (390×844): set up by
Sanne with her full login, unlocked by a colleague with her PIN, used to write the diary, locked
with the button and by the idle timer in the page. No sideways scrolling, names and buttons at
least 44 px, and axe-core finds no serious or critical violation.

With SCREENSHOTS_DIR set, the lock screen and the tablet's pages are saved there."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.test_phone_pages import axe_source, check_page
from tests.conftest import PASSWORD, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"width": 820, "height": 1180}
PHONE = {"width": 390, "height": 844}


def shoot(page, name: str) -> None:
    target = os.environ.get("SCREENSHOTS_DIR")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(target) / f"{name}.png"), full_page=True)


def big_enough(page, selector: str) -> list[str]:
    return page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)]
            .filter(e => e.offsetParent !== null)
            .map(e => [e.textContent.trim().slice(0, 30), e.getBoundingClientRect()])
            .filter(([, r]) => r.width < 44 || r.height < 44)
            .map(([t, r]) => `${t} ${Math.round(r.width)}×${Math.round(r.height)}`)""",
        selector,
    )


def test_a_group_tablet_from_setting_up_to_locking(world, live_server, browser, settings):
    from portal.accounts import tablet as tablet_services
    from portal.diary.models import DiaryEntry
    from tests.factories import GroupStaffFactory

    tess = make_user("tess@example.test", "Tess Collega")
    tess.language = "en"  # each person sees the tablet in their own language
    tess.save(update_fields=["language"])
    GroupStaffFactory(user=tess, group=world.a.babies)
    tablet_services.pin_set(user=tess, pin="4711")
    tablet_services.pin_set(user=world.sanne, pin="2580")
    axe = axe_source()
    base = live_server.url

    context = browser.new_context(viewport=TABLET)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{base}/accounts/login/")
    page.get_by_role("button", name="English").click()
    page.get_by_label("E-mail address").fill(world.sanne.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{base}/home/")

    # Sanne turns the device into Baby's tablet, with a confirmation.
    check_page(page, f"{base}/home/", axe)  # her own home page, at a tablet's width
    page.get_by_role("link", name="Use this device as the group tablet").click()
    page.wait_for_url(f"{base}/tablet/setup/?group={world.a.babies.pk}")
    check_page(page, page.url, axe)
    shoot(page, "tablet-setup")
    page.get_by_role("button", name="Start tablet mode").click()
    assert page.url.startswith(f"{base}/tablet/setup/")  # the box is not ticked yet: the browser asks for it
    page.get_by_label("Yes, this device becomes the group's shared tablet").check()
    page.get_by_role("button", name="Start tablet mode").click()
    page.wait_for_url(f"{base}/tablet/")

    # The lock screen: the names, large.
    check_page(page, f"{base}/tablet/", axe)
    assert big_enough(page, ".tablet-names a") == []
    names = page.locator(".tablet-names a")
    assert names.count() == 2
    assert page.get_by_role("link", name="Tess Collega").bounding_box()["height"] >= 60
    shoot(page, "tablet-lock")

    # Tess taps her name and types her PIN: a wrong one first.
    page.get_by_role("link", name="Tess Collega").click()
    check_page(page, page.url, axe)
    shoot(page, "tablet-pin")
    page.get_by_label("Your PIN").fill("1111")
    page.get_by_role("button", name="Unlock").click()
    assert page.get_by_role("alert").inner_text().startswith("This PIN is not right")
    page.get_by_label("Your PIN").fill("4711")
    page.get_by_role("button", name="Unlock").click()
    page.wait_for_url(f"{base}/home/")
    assert page.locator(".tablet-who").inner_text().startswith("Tess")
    assert page.get_by_role("button", name="Lock").is_visible()
    assert page.get_by_text("Menu", exact=True).count() == 0  # no personal menu on the tablet
    assert big_enough(page, ".tablet-lock-button, .tabbar a") == []
    check_page(page, f"{base}/home/", axe)
    shoot(page, "tablet-home")

    # She writes Bo's diary page of today.
    page.goto(f"{base}/children/{world.bo.pk}/diary/write/")
    page.locator("#text").fill("Bo heeft met de blokken gespeeld.")
    page.get_by_role("button", name="Publish for the parents").click()
    page.wait_for_load_state("load")
    entry = DiaryEntry.objects.get(child=world.bo)
    assert entry.author == tess

    # A personal page is refused, with a way back.
    page.goto(f"{base}/accounts/security/")
    assert page.get_by_role("heading", name="Not on the group tablet").is_visible()
    check_page(page, f"{base}/accounts/security/", axe)

    # The lock button.
    page.goto(f"{base}/home/")
    page.get_by_role("button", name="Lock").click()
    page.wait_for_url(f"{base}/tablet/")
    page.goto(f"{base}/home/")
    page.wait_for_url(f"{base}/tablet/")

    # The page's own idle timer (the clock of the tests is frozen, so this is the browser's).
    settings.TABLET_IDLE_MINUTES = 0.05  # 3 seconds
    page.get_by_role("link", name="Sanne Medewerker").click()
    page.get_by_label("Your PIN").fill("2580")
    page.get_by_role("button", name="Unlock").click()
    page.wait_for_url(f"{base}/home/")
    page.goto(f"{base}/children/{world.bo.pk}/diary/write/")
    # Typing keeps it open (and tells the server), longer than the idle time.
    with page.expect_request(lambda r: r.url == f"{base}/tablet/active/" and r.method == "POST"):
        page.locator("#text").press_sequentially("Bo slaapt nog.", delay=400)
    assert page.url == f"{base}/children/{world.bo.pk}/diary/write/"
    # Then nobody touches it: back to the lock screen.
    page.wait_for_url(f"{base}/tablet/", timeout=15_000)
    assert page.get_by_text("The tablet locked itself").is_visible()

    # The same lock screen on a phone.
    page.set_viewport_size(PHONE)
    check_page(page, f"{base}/tablet/", axe)
    shoot(page, "tablet-lock-phone")
    settings.TABLET_IDLE_MINUTES = 3
    page.get_by_role("link", name="Sanne Medewerker").click()
    page.get_by_label("Your PIN").fill("2580")
    page.get_by_role("button", name="Unlock").click()
    page.wait_for_url(f"{base}/home/")
    check_page(page, f"{base}/home/", axe)
    assert big_enough(page, ".tablet-lock-button, .tabbar a") == []
    shoot(page, "tablet-home-phone")
    context.close()
