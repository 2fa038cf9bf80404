"""Settings, clock, security headers and the message catalogues."""

import datetime as dt
import importlib
import os

import polib
import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from config.env import envbool, envint, envstr
from portal.core import clock


def test_env_helpers_fail_loudly(monkeypatch, tmp_path):
    monkeypatch.setenv("SOME_FLAG", "perhaps")
    with pytest.raises(ImproperlyConfigured, match="not a boolean"):
        envbool("SOME_FLAG", False)
    monkeypatch.setenv("SOME_NUMBER", "ten")
    with pytest.raises(ImproperlyConfigured, match="not a whole number"):
        envint("SOME_NUMBER", 1)
    secret = tmp_path / "secret"
    secret.write_text("from-a-file\n")
    monkeypatch.setenv("SOME_SECRET_FILE", str(secret))
    assert envstr("SOME_SECRET") == "from-a-file"


def test_production_settings_refuse_to_start_without_a_secret(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("DEBUG", "0")
    import config.settings

    with pytest.raises(ImproperlyConfigured, match="SECRET_KEY"):
        importlib.reload(config.settings)
    monkeypatch.setenv("SECRET_KEY", "x")
    importlib.reload(config.settings)


def test_production_hashes_passwords_with_argon2():
    from django.contrib.auth.hashers import Argon2PasswordHasher

    import config.settings

    assert config.settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")
    encoded = Argon2PasswordHasher().encode("geheim-wachtwoord", "somesaltvalue123")
    assert encoded.startswith("argon2$") and Argon2PasswordHasher().verify("geheim-wachtwoord", encoded)


def test_cookies_are_secure_by_default():
    assert os.environ.get("SECURE_COOKIES") in (None, "1", "true")
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE and settings.SESSION_COOKIE_HTTPONLY


def test_security_headers(client, db):
    response = client.get("/accounts/login/")
    policy = response["Content-Security-Policy"]
    assert "default-src 'self'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_csrf_is_enforced(db):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/accounts/login/", {"email": "a@b.test", "password": "x"}).status_code == 403


def test_today_is_amsterdams_today():
    with clock.frozen(dt.datetime(2026, 11, 25, 23, 30, tzinfo=dt.UTC)):
        assert clock.today() == dt.date(2026, 11, 26)
        assert clock.now().utcoffset() == dt.timedelta(hours=1)
    with clock.frozen(dt.datetime(2026, 7, 1, 22, 30, tzinfo=dt.UTC)):
        assert clock.today() == dt.date(2026, 7, 2)


def test_the_dutch_catalogue_is_complete():
    catalogue = polib.pofile(str(settings.BASE_DIR / "locale/nl/LC_MESSAGES/django.po"))
    assert [e.msgid for e in catalogue.untranslated_entries()] == []
    assert [e.msgid for e in catalogue.fuzzy_entries()] == []
    assert (settings.BASE_DIR / "locale/en/LC_MESSAGES/django.po").exists()


def test_placeholders_survive_translation():
    catalogue = polib.pofile(str(settings.BASE_DIR / "locale/nl/LC_MESSAGES/django.po"))
    import re

    pattern = re.compile(r"%\(\w+\)[sd]")
    for entry in catalogue.translated_entries():
        if entry.msgid_plural:
            translations = entry.msgstr_plural.values()
            source = set(pattern.findall(entry.msgid_plural)) | set(pattern.findall(entry.msgid))
        else:
            translations = [entry.msgstr]
            source = set(pattern.findall(entry.msgid))
        for text in translations:
            assert set(pattern.findall(text)) <= source and (
                source <= set(pattern.findall(text)) or entry.msgid_plural
            ), entry.msgid


def test_every_model_change_has_a_migration(db):
    from django.core.management import call_command

    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


def test_refusals_are_pages_of_the_portal_in_the_users_language(client, world):
    from django.urls import reverse

    from tests.conftest import login

    login(client, world.anna)  # Dutch
    refused = client.get(reverse("messaging:group_inbox", args=[world.a.babies.pk]))
    assert refused.status_code == 403
    page = refused.content.decode()
    assert "Niet voor jouw rol" in page and 'class="topbar"' in page
    missing = client.get("/messages/999999/")
    assert missing.status_code == 404 and "Pagina niet gevonden" in missing.content.decode()
