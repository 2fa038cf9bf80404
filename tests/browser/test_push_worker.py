"""The service worker in a real Chromium: it shows a push message with only a portal path to
open, keeps nothing but the offline page in its cache however many personal pages are seen,
and shows the offline page without a connection."""

import json

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_push_message_cache_and_offline_page(world, live_server, browser):
    # The pages load push.js once templates/base.html does; here the test registers the worker
    # itself, which needs script evaluation that the portal's CSP (rightly) forbids.
    context = browser.new_context(viewport={"width": 390, "height": 844}, bypass_csp=True)
    context.grant_permissions(["notifications"], origin=live_server.url)
    page = context.new_page()
    page.set_default_timeout(20_000)
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("button", name="English").click()
    page.get_by_label("E-mail address").fill("anna@example.test")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{live_server.url}/home/")

    cdp = context.new_cdp_session(page)
    registrations = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    scope = page.evaluate(
        "navigator.serviceWorker.register('/sw.js').then(() => navigator.serviceWorker.ready).then(r => r.scope)"
    )
    assert scope == f"{live_server.url}/"

    # Personal pages, seen while the worker controls the page.
    page.reload()
    assert page.evaluate("!!navigator.serviceWorker.controller")
    for path in ("/home/", f"/children/{world.bo.pk}/", "/photos/", "/notifications/settings/"):
        page.goto(f"{live_server.url}{path}")
    cached = page.evaluate(
        """caches.keys().then(names => Promise.all(names.map(name => caches.open(name)
             .then(cache => cache.keys()).then(requests => requests.map(r => new URL(r.url).pathname)))))"""
    )
    assert cached == [["/offline/", "/static/css/portal.css", "/static/img/icon.svg", "/static/js/offline.js"]]

    # Push messages, as the push service hands them to the browser.
    registration_id = next(r["registrationId"] for r in registrations if r["scopeURL"] == f"{live_server.url}/")

    def deliver(data: dict) -> dict:
        # DevTools now and then drops a push aimed at a worker that is just stopping; then it is
        # handed over again (the same tag replaces, so a message never shows twice).
        for _attempt in range(3):
            cdp.send(
                "ServiceWorker.deliverPushMessage",
                {"origin": live_server.url, "registrationId": registration_id, "data": json.dumps(data)},
            )
            for _ in range(100):
                shown = page.evaluate(
                    """navigator.serviceWorker.ready.then(r => r.getNotifications()).then(list =>
                         list.map(n => ({title: n.title, body: n.body, tag: n.tag, url: n.data.url, icon: n.icon})))"""
                )
                found = [n for n in shown if n["tag"] == data["tag"]]
                if found:
                    return found[0]
                page.wait_for_timeout(100)
        raise AssertionError(f"no notification for {data['tag']}")

    shown = deliver(
        {"title": "Nieuwe dagboekpagina", "body": "Bo heeft geslapen", "url": "/notifications/7/", "tag": "diary:7"}
    )
    assert shown["title"] == "Nieuwe dagboekpagina"
    assert shown["body"] == "Bo heeft geslapen"
    assert shown["url"] == "/notifications/7/"
    assert shown["icon"].endswith("/static/img/icon-192.png")
    for foreign in ("https://evil.example/steal", "//evil.example/steal", "javascript:alert(1)"):
        assert deliver({"title": f"Elders: {foreign}", "url": foreign, "tag": f"news:{foreign}"})["url"] == "/"

    # Without a connection: the offline page, not a cached copy of a personal page.
    context.set_offline(True)
    page.goto(f"{live_server.url}/home/")
    page.locator(".offline h1").first.wait_for()
    assert page.url == f"{live_server.url}/home/"
    assert page.locator(".offline").count() == 2  # Dutch and English
    assert page.get_by_text("Anna").count() == 0 and page.get_by_text("Bo Test").count() == 0
    context.set_offline(False)
    context.close()
