"""`make bench-scale SIZE=1|10|100`: every main screen and API call of guardians, staff, planners
and admins on the installation `make bench-data` built, against a trivial endpoint (the
anonymous login page, no queries) measured in the same run.

- gunicorn (WORKERS, default 2) serves the portal on BENCH_PORT (default 8015), DEBUG off,
  persistent connections as in production;
- each screen is asked ROUNDS times, each time right after the trivial page, so both see the
  same machine; printed: p50 and p95 response time, the ratio of the p50s, and the number of
  queries (counted once in this process with Django's test client, on the same database);
- then LOAD_SECONDS of concurrent load (LOAD_CLIENTS threads) on the guardian home and on the
  trivial page: requests per second and their ratio.

Results go to stdout and to bench/.scale-<SIZE>-result.json (docs/performance.md keeps the table).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))


def environment(url: str, port: int) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DEBUG": "0",
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "SECURE_COOKIES": "0",
        "SITE_URL": f"http://127.0.0.1:{port}",
        "LOG_LEVEL": "WARNING",
        "TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
    }


def prepare(people: dict) -> dict:
    """Sessions (as after a login, the admin's with the second factor passed) and API tokens."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from portal.accounts.middleware import SessionTrackingMiddleware
    from portal.accounts.models import User
    from portal.accounts.services import api_token_create
    from portal.core import clock
    from portal.messaging.models import Thread

    cookies, tokens = {}, {}
    for role in ("guardian1", "staff1", "planner1", "admin1"):
        user = User.objects.get(pk=people[role]["user_id"])
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session[SessionTrackingMiddleware.SEEN_KEY] = clock.now().timestamp() + 3600
        second_factor = role == "admin1"
        if second_factor:
            device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench", defaults={"confirmed": True})
            session["otp_device_id"] = device.persistent_id
        session.create()
        cookies[role] = f"{settings.SESSION_COOKIE_NAME}={session.session_key}"
        tokens[role] = api_token_create(user=user, device_name="bench", second_factor=second_factor)[1]
    child = people["guardian1"]["child_id"]
    people["guardian1"]["thread_id"] = Thread.objects.filter(child_id=child).values_list("pk", flat=True).first()
    return {"cookies": cookies, "tokens": tokens}


def screens(people: dict) -> list[tuple[str, str, str, str]]:
    """(role, label, path, auth): auth is "cookie" or "token"."""
    g, s, p, a = people["guardian1"], people["staff1"], people["planner1"], people["admin1"]
    child, thread = g["child_id"], g["thread_id"]
    org = a["organisation_id"]
    return [
        ("guardian", "home", "/home/", "cookie"),
        ("guardian", FRESH_HOME, "/home/", "cookie"),
        ("guardian", "child", f"/children/{child}/", "cookie"),
        ("guardian", "calendar", f"/children/{child}/planning/", "cookie"),
        ("guardian", "credits", f"/children/{child}/credits/", "cookie"),
        ("guardian", "photos", "/photos/", "cookie"),
        ("guardian", "diary", f"/children/{child}/diary/", "cookie"),
        ("guardian", "messages", "/messages/", "cookie"),
        ("guardian", "conversation", f"/messages/{thread}/", "cookie"),
        ("guardian", "news", "/news/", "cookie"),
        ("guardian", "notifications", "/notifications/", "cookie"),
        ("guardian", "API me", "/api/v1/me", "token"),
        ("guardian", "API calendar", f"/api/v1/children/{child}/calendar", "token"),
        ("guardian", "API photos", "/api/v1/media", "token"),
        ("guardian", "API diary", f"/api/v1/children/{child}/diary", "token"),
        ("guardian", "API messages", "/api/v1/messages/threads", "token"),
        ("guardian", "API news", "/api/v1/news", "token"),
        ("guardian", "API notifications", "/api/v1/notifications", "token"),
        ("staff", "home", "/home/", "cookie"),
        ("staff", "group", f"/groups/{s['group_id']}/", "cookie"),
        ("staff", "group photos", f"/groups/{s['group_id']}/photos/", "cookie"),
        ("staff", "group diary", f"/groups/{s['group_id']}/diary/", "cookie"),
        ("staff", "group inbox", f"/groups/{s['group_id']}/inbox/", "cookie"),
        ("staff", "API messages", "/api/v1/messages/threads", "token"),
        ("planner", "home", "/home/", "cookie"),
        ("planner", "queue", "/planning/queue/", "cookie"),
        ("planner", "day view", f"/locations/{p['location_id']}/day/", "cookie"),
        ("planner", "location", f"/locations/{p['location_id']}/", "cookie"),
        ("planner", "roster", f"/roster/{p['location_id']}/", "cookie"),
        ("planner", "API queue", "/api/v1/planning/queue", "token"),
        ("admin", "home", "/home/", "cookie"),
        ("admin", "organisation", f"/organisations/{org}/", "cookie"),
        ("admin", "children", f"/manage/{org}/children/", "cookie"),
        ("admin", "children search", f"/manage/{org}/children/?q=jansen", "cookie"),
        ("admin", "children page 10", f"/manage/{org}/children/?page=10", "cookie"),
        ("admin", "staff", f"/manage/{org}/staff/", "cookie"),
        ("admin", "staff search", f"/manage/{org}/staff/?q=jansen", "cookie"),
        ("admin", "history", f"/manage/{org}/history/", "cookie"),
        ("admin", "history filtered", f"/manage/{org}/history/?name=jansen&action=planning.*", "cookie"),
    ]


# The guardian's Today page is kept for the person a short while (portal.accounts.kept): "home"
# is what a guardian who comes back to it gets, this row what the first look after any change
# costs (the bench moves their reads version on before each request, outside the timing).
FRESH_HOME = "home, read afresh"


def forget_kept_reads(people: dict) -> None:
    from django.db.models import F

    from portal.accounts.models import User

    User.objects.filter(pk=people["guardian1"]["user_id"]).update(reads_version=F("reads_version") + 1)


ROLE_KEY = {"guardian": "guardian1", "staff": "staff1", "planner": "planner1", "admin": "admin1"}


def headers_for(role: str, auth: str, access: dict) -> dict[str, str]:
    key = ROLE_KEY[role]
    if auth == "token":
        return {"Authorization": f"Bearer {access['tokens'][key]}"}
    return {"Cookie": access["cookies"][key]}


def fetch(port: int, path: str, headers: dict[str, str]) -> tuple[float, int]:
    start = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    response.read()
    connection.close()
    return time.perf_counter() - start, response.status


def count_queries(path: str, headers: dict[str, str], before=lambda: None) -> int:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    extra = {}
    if "Cookie" in headers:
        name, value = headers["Cookie"].split("=", 1)
        client.cookies[name] = value
    else:
        extra["HTTP_AUTHORIZATION"] = headers["Authorization"]
    client.get(path, **extra)
    before()
    with CaptureQueriesContext(connection) as queries:
        client.get(path, **extra)
    return len(queries)


def start_server(env: dict[str, str], port: int, workers: int, app_dir: Path) -> subprocess.Popen:
    python = str(ROOT.parent / ".venv" / "bin" / "python")
    server = subprocess.Popen(
        [
            python,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=app_dir,
        env=env,
        start_new_session=True,
    )
    for _ in range(100):
        try:
            fetch(port, "/accounts/login/", {})
            return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("gunicorn did not start")


def load(port: int, path: str, headers: dict[str, str], clients: int, seconds: float) -> float:
    done = [0] * clients
    stop = time.perf_counter() + seconds

    def run(index: int) -> None:
        while time.perf_counter() < stop:
            _, status = fetch(port, path, headers)
            if status == 200:
                done[index] += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=1)
    parser.add_argument("--rounds", type=int, default=int(os.environ.get("ROUNDS", "30")))
    parser.add_argument("--port", type=int, default=int(os.environ.get("BENCH_PORT", "8015")))
    parser.add_argument("--workers", type=int, default=int(os.environ.get("WORKERS", "2")))
    parser.add_argument("--load-clients", type=int, default=int(os.environ.get("LOAD_CLIENTS", "8")))
    parser.add_argument("--load-seconds", type=float, default=float(os.environ.get("LOAD_SECONDS", "8")))
    parser.add_argument("--app-dir", default=os.environ.get("BENCH_APP_DIR", str(ROOT.parent)))
    parser.add_argument("--only", default="", help="only screens whose role or label contains this")
    args = parser.parse_args()
    people = json.loads((ROOT / f".scale-{args.size}.json").read_text())
    env = environment(people["database_url"], args.port)
    os.environ.update(env)

    import django

    django.setup()
    from django.core.management import call_command

    from portal.core.scoping import across_organisations

    call_command("collectstatic", interactive=False, verbosity=0)

    with across_organisations():
        access = prepare(people)
    rows = [r for r in screens(people) if args.only in f"{r[0]} {r[1]}"]

    def before(label: str):
        return (lambda: forget_kept_reads(people)) if label == FRESH_HOME else (lambda: None)

    counts = {
        (role, label): count_queries(path, headers_for(role, auth, access), before(label))
        for role, label, path, auth in rows
    }
    from django.db import connections

    connections.close_all()

    server = start_server(env, args.port, args.workers, Path(args.app_dir))
    results = []
    try:
        for _ in range(5):  # warm both workers up
            fetch(args.port, "/accounts/login/", {})
            for role, _label, path, auth in rows:
                fetch(args.port, path, headers_for(role, auth, access))
        print(f"×{args.size}, gunicorn {args.workers} workers, {args.rounds} rounds, interleaved with /accounts/login/")
        print(f"{'role':9} {'screen':20} {'p50 ms':>7} {'p95 ms':>7} {'trivial':>7} {'ratio':>6} {'queries':>7}")
        for role, label, path, auth in rows:
            headers = headers_for(role, auth, access)
            mine, trivial = [], []
            status = 0
            for _ in range(args.rounds):
                trivial.append(fetch(args.port, "/accounts/login/", {})[0])
                before(label)()
                seconds, status = fetch(args.port, path, headers)
                mine.append(seconds)
            p50, p95 = statistics.median(mine) * 1000, statistics.quantiles(mine, n=20)[-1] * 1000
            t50 = statistics.median(trivial) * 1000
            row = {
                "role": role,
                "screen": label,
                "path": path,
                "status": status,
                "p50_ms": round(p50, 2),
                "p95_ms": round(p95, 2),
                "trivial_p50_ms": round(t50, 2),
                "ratio": round(p50 / t50, 2),
                "queries": counts[(role, label)],
            }
            results.append(row)
            flag = "" if status == 200 else f"  HTTP {status}"
            figures = f"{p50:7.1f} {p95:7.1f} {t50:7.1f} {p50 / t50:6.1f} {counts[(role, label)]:7d}"
            print(f"{role:9} {label:20} {figures}{flag}", flush=True)
        home = headers_for("guardian", "cookie", access)
        # The trivial page before and after the guardian home, so both see the same machine.
        half = args.load_seconds / 2
        trivial_rps = load(args.port, "/accounts/login/", {}, args.load_clients, half)
        home_rps = load(args.port, "/home/", home, args.load_clients, args.load_seconds)
        trivial_rps = (trivial_rps + load(args.port, "/accounts/login/", {}, args.load_clients, half)) / 2
        print(
            f"load, {args.load_clients} clients: guardian home {home_rps:.0f} req/s, trivial {trivial_rps:.0f} req/s,"
            f" ratio {home_rps / trivial_rps:.2f}"
        )
        summary = {"size": args.size, "screens": results, "home_rps": home_rps, "trivial_rps": trivial_rps}
        (ROOT / f".scale-{args.size}-result.json").write_text(json.dumps(summary, indent=1))
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
