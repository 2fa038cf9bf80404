"""Lighthouse (mobile) on the main pages, as a parent and as group staff (`make lighthouse`).

Makes a fresh SQLite database in a temporary folder with the demo organisation, serves it as in
production (DEBUG off, static files collected, responses compressed) on a free port, logs in as
the demo guardian and the demo group staff member (in Dutch) and a second guardian (in English), and runs
Lighthouse's mobile audit of accessibility and best practices on the pages of each one's tab bar
and a conversation, and on the login page in both languages. Prints a table of the scores and,
for every score under 100, the audits that cost points. Exits non-zero when a score is under
the minimum (100 unless --minimum says otherwise).

Lighthouse itself is pinned in scripts/lighthouse/package-lock.json and installed with `npm ci`
the first time; it drives the machine's Chromium (CHROME_PATH, default /usr/bin/chromium). Two of
its packages ask for another package's "latest" version; package.json's "overrides" pin those to
the versions in the lock file, or `npm ci` would refuse the lock file as soon as a newer one is out.

    .venv/bin/python scripts/lighthouse.py [--minimum 100] [--page /home/]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from fuzz_api import free_port, wait_for  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
TOOL = ROOT / "scripts" / "lighthouse"
CATEGORIES = ["accessibility", "best-practices"]
# role: (login, the language that login uses)
LOGINS = {
    "guardian": ("ouder@demo.test", "nl"),
    "staff": ("medewerker@demo.test", "nl"),
    "guardian-en": ("ouder2@demo.test", "en"),
}

# A logged-in session for each demo login, in the portal's own database, as the login page
# would make it; prints {role: {"cookie": "sessionid=…", "pages": […]}} for the run.
SESSIONS = """
import json
from django.conf import settings
from django.test import Client
from django.urls import reverse
from portal.accounts.models import User
from portal.core.scoping import across_organisations
from portal.messaging.models import Thread
out = {}
with across_organisations():
    for role, (email, language) in %(logins)r.items():
        user = User.objects.get(email=email)
        User.objects.filter(pk=user.pk).update(language=language)
        client = Client()
        client.force_login(user)
        cookie = settings.SESSION_COOKIE_NAME + "=" + client.cookies[settings.SESSION_COOKIE_NAME].value
        thread = Thread.objects.filter(child__guardians__user=user).order_by("pk").first()
        extra = [reverse("messaging:thread", args=[thread.pk])] if thread else []
        out[role] = {"cookie": cookie, "language": language, "extra": extra}
print(json.dumps(out))
"""


def lighthouse_bin() -> Path:
    binary = TOOL / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        if not shutil.which("npm"):
            raise SystemExit("Lighthouse needs Node.js 18 or newer with npm (Debian: apt install nodejs npm).")
        print("== installing Lighthouse (npm ci in scripts/lighthouse)", flush=True)
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=TOOL, check=True)
    return binary


def chromium() -> str:
    path = os.environ.get("CHROME_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        raise SystemExit("Lighthouse needs Chromium: python3 scripts/ensure_system.py test installs it.")
    return path


def tab_pages(base: str, cookie: str) -> list[str]:
    """The pages of the person's tab bar, as the portal lists them on the home page."""
    html = fetch(base, "/home/", cookie)[1]
    nav = re.search(r'<nav class="tabbar".*?</nav>', html, re.S)
    links = re.findall(r'href="(/[^"#?]*)"', nav.group(0)) if nav else []
    pages = []
    for link in ["/home/", *links]:
        path, html = fetch(base, link, cookie)
        pages.append(path)
        # A tab that lets the person choose a child or group: its first choice's page as well.
        choice = re.search(r'<ul class="choice-list">\s*<li><a href="(/[^"#?]*)"', html)
        if choice:
            pages.append(fetch(base, choice.group(1), cookie)[0])
    return list(dict.fromkeys(pages))


def fetch(base: str, path: str, cookie: str) -> tuple[str, str]:
    """Where a page leads and what it says. Lighthouse is given the page a tab leads to (a tab
    with one child goes straight to that child's page): Chromium does not send a Cookie header
    set by Lighthouse again after a redirect."""
    request = urllib.request.Request(f"{base}{path}", headers={"Cookie": cookie})
    with urllib.request.urlopen(request, timeout=30) as response:
        return urllib.parse.urlsplit(response.geturl()).path, response.read().decode()


def audit(binary: Path, url: str, cookie: str | None, language: str, folder: Path) -> dict:
    headers = {
        "Accept-Language": language,
        "Cookie": f"{cookie}; django_language={language}" if cookie else f"django_language={language}",
    }
    report = folder / "report.json"
    command = [
        str(binary),
        url,
        "--quiet",
        "--output=json",
        f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        "--form-factor=mobile",
        "--screenEmulation.mobile",
        f"--locale={language}",
        f"--extra-headers={json.dumps(headers)}",
        "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
    ]
    subprocess.run(command, check=True, env={**os.environ, "CHROME_PATH": chromium()}, timeout=300)
    return json.loads(report.read_text())


def lost_points(result: dict, category: str) -> list[str]:
    """The audits of a category that did not pass, with what Lighthouse says about them."""
    lines = []
    for ref in result["categories"][category]["auditRefs"]:
        item = result["audits"][ref["id"]]
        if ref["weight"] and item.get("score") is not None and item["score"] < 1:
            details = item.get("details") or {}
            where = [
                (row.get("node") or {}).get("snippet") or row.get("url") or row.get("description") or ""
                for row in details.get("items", [])[:5]
            ]
            lines.append(f"    {ref['id']}: {item['title']} {' | '.join(str(w) for w in where if w)}")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minimum", type=int, default=100, help="lowest acceptable score (0-100)")
    parser.add_argument("--page", action="append", help="only these paths (default: the main pages)")
    args = parser.parse_args()
    binary = lighthouse_bin()

    with tempfile.TemporaryDirectory(prefix="ouderportaal-lighthouse-") as var_dir:
        folder = Path(var_dir)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "lighthouse-only-not-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_COOKIES": "0",
            "VAR_DIR": var_dir,
            "DATABASE_URL": f"sqlite:///{var_dir}/lighthouse.sqlite3",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "SITE_URL": base,
            "LOG_LEVEL": "ERROR",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        manage = [PYTHON, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
        subprocess.run([*manage, "load_demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([*manage, "collectstatic", "--noinput", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
        code = SESSIONS % {"logins": LOGINS}
        sessions = json.loads(
            subprocess.run(
                [*manage, "shell", "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
            )
            .stdout.strip()
            .splitlines()[-1]
        )
        server = subprocess.Popen(
            [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
            env=env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=open(folder / "server.log", "w"),  # noqa: SIM115 (closed with the folder)
            start_new_session=True,
        )
        rows: list[tuple[str, str, str, dict[str, int]]] = []
        problems: list[str] = []
        try:
            wait_for(f"{base}/accounts/login/", server)
            plan: list[tuple[str, str, str | None, str]] = [("anonymous", "/accounts/login/", None, "nl")]
            plan.append(("anonymous", "/accounts/login/", None, "en"))
            for role, session in sessions.items():
                for path in tab_pages(base, session["cookie"]) + session["extra"]:
                    plan.append((role, path, session["cookie"], session["language"]))
            if args.page:
                plan = [step for step in plan if step[1] in args.page]
            for role, path, cookie, language in plan:
                result = audit(binary, f"{base}{path}", cookie, language, folder)
                if result.get("runtimeError"):
                    raise SystemExit(f"Lighthouse could not audit {path}: {result['runtimeError']}")
                final = result.get("finalDisplayedUrl") or result.get("finalUrl") or ""
                if cookie and "/accounts/login/" in final:
                    raise SystemExit(f"{path} sent Lighthouse to the login page: the session was not used.")
                scores = {c: round((result["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
                rows.append((role, path, language, scores))
                print(f"{role:10} {language} {path:40} " + "  ".join(f"{c} {s}" for c, s in scores.items()), flush=True)
                for category, score in scores.items():
                    if score < 100:
                        print("\n".join(lost_points(result, category)), flush=True)
                    if score < args.minimum:
                        problems.append(f"{role} {path} ({language}): {category} {score}")
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
        print(f"\n{len(rows)} pages audited (Lighthouse mobile: {', '.join(CATEGORIES)}).")
        if problems:
            print(f"Under {args.minimum}:\n  " + "\n  ".join(problems))
            return 1
        print(f"Every score is at least {args.minimum}.")
        return 0


if __name__ == "__main__":
    sys.exit(main())
