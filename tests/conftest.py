"""Shared fixtures: a frozen clock and a world of named people in two organisations.

Zonnebloem (the organisation under test)
  location Centrum: groups "Baby's" (daycare) and "Peuters" (daycare); location Noord: "BSO Noord"
  anna   guardian of Bo (baby, Baby's) and Mo (Peuters)       -- two children, two groups
  bert   guardian of Lin (Baby's)
  carla  guardian of Fien (Peuters), whose placement starts in 20 days
  sanne  group staff of Baby's
  paula  planner of Centrum
  adam   organisation admin (with TOTP)
Regenboog (the outsiders), with the same locations and groups
  otto   guardian of Olle (Baby's);  oscar  admin;  olga  staff of Baby's;  pim  planner of Centrum

Built with the factories of tests/factories.py.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from email import message_from_bytes, policy
from types import SimpleNamespace

import pytest
from aiosmtpd.controller import Controller
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.access.roles import forget_roles
from portal.accounts.middleware import SessionTrackingMiddleware
from portal.accounts.models import User
from portal.children.models import Child
from portal.core import clock
from portal.core.scoping import across_organisations
from portal.organisations.models import Group
from tests.factories import (
    PASSWORD,
    ChildFactory,
    GroupFactory,
    GroupStaffFactory,
    LocationFactory,
    LocationPlannerFactory,
    OrganisationAdminFactory,
    OrganisationFactory,
    UserFactory,
    place,
)

# Playwright's sync API runs an event loop in the test thread; the ORM calls that the
# browser tests make between page actions are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

TODAY = dt.date(2026, 11, 25)  # a Wednesday


@pytest.fixture(autouse=True)
def _test_code_across_organisations():
    """Tests build and inspect the world directly, across organisations; every request they
    make still runs in its user's scope (the middleware), as in production."""
    with across_organisations():
        yield


@pytest.fixture(autouse=True)
def frozen_clock():
    with clock.frozen(dt.datetime(2026, 11, 25, 10, 0)):
        yield


@pytest.fixture(autouse=True)
def _badges_counted_on_every_page(request, monkeypatch):
    """Pages count the tab badges afresh, as they do once BADGE_SECONDS have passed: the query
    budgets and "what the person sees now" hold for the costlier path. tests/test_badges.py
    tests the keeping (marked `keep_badges`)."""
    if request.node.get_closest_marker("keep_badges") is None:
        from portal.notifications import badges

        monkeypatch.setattr(badges, "BADGE_SECONDS", 0)


@pytest.fixture(autouse=True)
def _reads_made_on_every_page(request, monkeypatch):
    """Pages read everything afresh, as they do once KEPT_SECONDS have passed: the query budgets
    and "what the person sees now" hold for the costlier path, also where a test changes the
    database directly between two pages. tests/test_kept.py tests the keeping (`keep_reads`)."""
    if request.node.get_closest_marker("keep_reads") is None:
        from portal.accounts import kept

        monkeypatch.setattr(kept, "KEPT_SECONDS", 0)


@pytest.fixture(autouse=True)
def _fresh_cache():
    from django.core.cache import caches

    from portal.accounts import kept

    for cache in caches.all():
        cache.clear()
    kept.forget_all()


def make_user(email: str, name: str, *, password: bool = True) -> User:
    return UserFactory(email=email, full_name=name, password=PASSWORD if password else None)


def organisation_world(prefix: str, name: str) -> SimpleNamespace:
    org = OrganisationFactory(name=name, slug=prefix)
    centrum = LocationFactory(
        organisation=org,
        name=f"{name} Centrum",
        street="Markt 1",
        postcode="1234 AB",
        city="Utrecht",
        phone="030 111 22 33",
        lrk_number="111222333",
    )
    noord = LocationFactory(
        organisation=org,
        name=f"{name} Noord",
        street="Noordweg 2",
        postcode="1234 CD",
        city="Utrecht",
        phone="030 444 55 66",
        lrk_number="444555666",
    )
    babies = GroupFactory(location=centrum, name="Baby's")
    toddlers = GroupFactory(location=centrum, name="Peuters")
    bso = GroupFactory(location=noord, name="BSO Noord", kind=Group.Kind.OUT_OF_SCHOOL)
    return SimpleNamespace(org=org, centrum=centrum, noord=noord, babies=babies, toddlers=toddlers, bso=bso)


def child(org, first: str, birth: dt.date, **extra) -> Child:
    return ChildFactory(organisation=org, first_name=first, birth_date=birth, **extra)


@pytest.fixture
def world(db):
    a = organisation_world("zonnebloem", "Zonnebloem")
    b = organisation_world("regenboog", "Regenboog")
    w = SimpleNamespace(a=a, b=b)

    w.anna = make_user("anna@example.test", "Anna Ouder")
    w.bert = make_user("bert@example.test", "Bert Ouder")
    w.carla = make_user("carla@example.test", "Carla Nieuw")
    w.sanne = make_user("sanne@example.test", "Sanne Medewerker")
    w.paula = make_user("paula@example.test", "Paula Planner")
    w.adam = make_user("adam@example.test", "Adam Beheer")
    w.otto = make_user("otto@example.test", "Otto Buiten")
    w.oscar = make_user("oscar@example.test", "Oscar Beheer")
    w.olga = make_user("olga@example.test", "Olga Medewerker")
    w.pim = make_user("pim@example.test", "Pim Planner")
    w.nobody = make_user("nobody@example.test", "Niemand")

    w.bo = child(a.org, "Bo", dt.date(2026, 3, 10), allergies="pinda's", guardians=[w.anna])
    w.mo = child(a.org, "Mo", dt.date(2024, 5, 2), guardians=[w.anna])
    w.lin = child(a.org, "Lin", dt.date(2026, 1, 5), guardians=[w.bert])
    w.fien = child(a.org, "Fien", dt.date(2025, 1, 5), guardians=[w.carla])
    w.olle = child(b.org, "Olle", dt.date(2025, 2, 2), guardians=[w.otto])
    w.bo_placement = place(w.bo, a.babies, dt.date(2026, 9, 1), weekdays=(0, 2))
    w.mo_placement = place(w.mo, a.toddlers, dt.date(2026, 1, 1), weekdays=(1, 2, 3))
    w.lin_placement = place(w.lin, a.babies, dt.date(2026, 6, 1), weekdays=(2, 4), parts=("morning",))
    w.fien_placement = place(w.fien, a.toddlers, TODAY + dt.timedelta(days=20), weekdays=(0, 1))
    w.olle_placement = place(w.olle, b.babies, dt.date(2026, 2, 1), weekdays=(2,))
    GroupStaffFactory(user=w.sanne, group=a.babies)
    GroupStaffFactory(user=w.olga, group=b.babies)
    LocationPlannerFactory(user=w.paula, location=a.centrum)
    LocationPlannerFactory(user=w.pim, location=b.centrum)
    OrganisationAdminFactory(user=w.adam, organisation=a.org)
    OrganisationAdminFactory(user=w.oscar, organisation=b.org)
    for admin in (w.adam, w.oscar):
        TOTPDevice.objects.create(user=admin, name="app", confirmed=True)
    return w


def login(client, user, *, verified: bool = True) -> None:
    """Log `user` in on the test client, with the second factor passed if they have one
    (unless `verified` is False: then they still have to give their code)."""
    forget_roles(user)
    client.force_login(user)
    session = client.session
    # As if the login page had just noted the session's 'last seen' time (it does so at most
    # once a minute), so that the first page a test asks for costs what every later one costs.
    session[SessionTrackingMiddleware.SEEN_KEY] = clock.now().timestamp()
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None and verified:
        session["otp_device_id"] = device.persistent_id
    session.save()


@pytest.fixture
def login_as(client):
    def _login(user):
        login(client, user)
        return client

    return _login


@pytest.fixture
def committed(django_capture_on_commit_callbacks):
    """`with committed():` runs what the code queued for after the commit (mail tasks, say),
    as it would happen outside the test's wrapping transaction."""

    def _committed():
        return django_capture_on_commit_callbacks(execute=True)

    return _committed


class Mailbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on a free local port; the portal's mail goes there."""
    mailbox = Mailbox()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = port
    yield mailbox
    controller.stop()


@pytest.fixture
def english(request):
    """Run a test in English: the people of `world` choose English, and so does code that runs
    outside a request. For tests that check the English wording of a message; the Dutch
    catalogue has a test of its own."""
    from django.utils import translation

    if "world" in request.fixturenames:
        world = request.getfixturevalue("world")
        User.objects.update(language="en")
        for value in vars(world).values():
            if isinstance(value, User):
                value.language = "en"
    with translation.override("en"):
        yield
