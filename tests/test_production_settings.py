"""Production settings from the environment: HTTPS only (redirect and HSTS) as soon as the portal
runs behind a TLS proxy or redirects to HTTPS, and `check --deploy` clean (also a CI step)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
NAMES = ["SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS", "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_PROXY_SSL_HEADER"]


def production_env(tmp_path, **env) -> dict:
    base = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    return {**base, "SECRET_KEY": "x" * 60 + "-production-like", "VAR_DIR": str(tmp_path), **env}


def settings_with(tmp_path, **env) -> dict:
    code = f"import json, config.settings as s; print(json.dumps({{n: getattr(s, n, None) for n in {NAMES!r}}}))"
    out = subprocess.run(
        [sys.executable, "-c", code], env=production_env(tmp_path, **env), cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


YEAR = 365 * 24 * 60 * 60


@pytest.mark.parametrize(
    ("env", "redirect", "hsts", "subdomains"),
    [
        ({}, False, 0, False),
        ({"BEHIND_TLS_PROXY": "1"}, True, YEAR, True),
        ({"SECURE_SSL_REDIRECT": "1"}, True, YEAR, True),
        ({"BEHIND_TLS_PROXY": "1", "SECURE_SSL_REDIRECT": "0"}, False, YEAR, True),
        ({"BEHIND_TLS_PROXY": "1", "SECURE_HSTS_SECONDS": "600"}, True, 600, True),
        ({"BEHIND_TLS_PROXY": "1", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "0"}, True, YEAR, False),
    ],
)
def test_https_only_behind_a_tls_proxy_or_with_the_redirect(tmp_path, env, redirect, hsts, subdomains):
    values = settings_with(tmp_path, **env)
    assert values["SECURE_SSL_REDIRECT"] is redirect
    assert values["SECURE_HSTS_SECONDS"] == hsts
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is subdomains
    assert (values["SECURE_PROXY_SSL_HEADER"] is not None) is ("BEHIND_TLS_PROXY" in env)


def test_check_deploy_is_clean_behind_a_tls_proxy_and_not_without(tmp_path):
    def check(**env):
        return subprocess.run(
            [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
            env=production_env(tmp_path, ALLOWED_HOSTS="portal.example.nl", **env),
            cwd=ROOT,
            capture_output=True,
            text=True,
        )

    clean = check(BEHIND_TLS_PROXY="1")
    assert clean.returncode == 0, clean.stderr
    plain = check()
    assert plain.returncode != 0 and "W004" in plain.stderr and "W008" in plain.stderr
