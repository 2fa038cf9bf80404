"""`make prod-check`: the production shape on one machine, under a short load, and its promises.

Starts SeaweedFS (S3, private bucket), PgBouncer in transaction mode in front of PostgreSQL,
3 gunicorn processes, 3 `db_worker` processes and nginx in front of the web processes, all with
the production settings (DEBUG off, PRIVATE_STORAGE=s3, DB_PGBOUNCER=1). Then, through nginx,
staff upload photos (some sent twice, as a phone on a bad connection does) while guardians ask
for extra days and everyone reads pages; and checks:

- no upload lost, none stored twice, each processed by exactly one task, once;
- every planning request arrived once;
- a session made by one web process is valid in the others;
- a guardian's Today page, kept in every web process's memory, shows what she wrote through
  another process on the next look (the kept reads check a version in the database);
- every file is in the bucket, and nothing is left on the local disk.

Needs nginx and pgbouncer (installed with apt-get when missing and run as root) and PostgreSQL
(PROD_CHECK_POSTGRES, default postgres://postgres@127.0.0.1:5432). Ports from PROD_CHECK_PORT
(default 8051: nginx; +1..+3 gunicorn; +4 PgBouncer). Everything it started is stopped at the end.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PYTHON = str(ROOT / ".venv" / "bin" / "python")
PASSWORD = "prod-check-wachtwoord"
UPLOADS, DUPLICATES, REQUESTS = 18, 6, 12

processes: list[subprocess.Popen] = []


def say(text: str) -> None:
    print(text, flush=True)


def need(program: str, package: str) -> str:
    found = shutil.which(program) or shutil.which(program, path="/usr/sbin:/usr/bin")
    if found is None and os.geteuid() == 0:
        say(f"installing {package} (apt-get)")
        subprocess.run(["apt-get", "install", "-y", "-q", package], check=False, capture_output=True)
        found = shutil.which(program, path="/usr/sbin:/usr/bin")
    if found is None:
        raise SystemExit(f"{program} is needed (apt-get install {package})")
    return found


def start(command: list[str], env: dict[str, str], log: Path, **kwargs) -> subprocess.Popen:
    handle = open(log, "ab")  # noqa: SIM115 (for the process's life)
    process = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=handle, stderr=subprocess.STDOUT, start_new_session=True, **kwargs
    )
    processes.append(process)
    return process


def wait_for(url: str, seconds: float = 60) -> None:
    import requests

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            requests.get(url, timeout=2)
            return
        except requests.RequestException:
            time.sleep(0.3)
    raise SystemExit(f"{url} did not answer")


def main() -> None:  # noqa: C901 (one script, read top to bottom)
    import psycopg
    import requests
    from psycopg import sql

    from tests.object_storage import start_s3_server

    nginx, pgbouncer = need("nginx", "nginx"), need("pgbouncer", "pgbouncer")
    base = int(os.environ.get("PROD_CHECK_PORT", "8051"))
    web_ports, bouncer_port = [base + 1, base + 2, base + 3], base + 4
    postgres = os.environ.get("PROD_CHECK_POSTGRES", "postgres://postgres@127.0.0.1:5432")
    database = os.environ.get("PROD_CHECK_DATABASE", "ouderportaal_prod_check")
    work = Path(tempfile.mkdtemp(prefix="ouderportaal-prod-check-"))
    work.chmod(0o777)
    var = work / "var"
    failures: list[str] = []
    s3 = None
    try:
        with psycopg.connect(f"{postgres}/postgres", autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
        s3 = start_s3_server(work / "s3")
        say(f"SeaweedFS S3 on {s3.endpoint}")

        host, port = postgres.rsplit("@", 1)[1].split(":")
        user = postgres.split("//", 1)[1].split("@")[0].split(":")[0]
        (work / "userlist.txt").write_text(f'"{user}" ""\n')
        (work / "pgbouncer.ini").write_text(
            f"[databases]\n{database} = host={host} port={port} dbname={database}\n\n[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {bouncer_port}\nunix_socket_dir = {work}\n"
            f"auth_type = trust\nauth_file = {work / 'userlist.txt'}\npool_mode = transaction\n"
            "default_pool_size = 10\nmax_client_conn = 200\nserver_reset_query =\n"
            "ignore_startup_parameters = extra_float_digits,options\n"
        )
        for name in ("pgbouncer.ini", "userlist.txt"):
            (work / name).chmod(0o644)
        bouncer_command = [pgbouncer, str(work / "pgbouncer.ini")]
        if os.geteuid() == 0:
            bouncer_command[1:1] = ["-u", "nobody"]  # PgBouncer does not run as root
        start(bouncer_command, dict(os.environ), work / "pgbouncer.log")
        time.sleep(1)

        env = {
            **os.environ,
            **s3.environment(),
            "DJANGO_SETTINGS_MODULE": "config.settings",
            "DATABASE_URL": f"postgres://{user}@127.0.0.1:{bouncer_port}/{database}",
            "DB_PGBOUNCER": "1",
            "DEBUG": "0",
            "SECRET_KEY": "prod-check-secret-key-not-for-production",
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_COOKIES": "0",
            "SITE_URL": f"http://127.0.0.1:{base}",
            "VAR_DIR": str(var),
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "WARNING",
        }
        direct = {**env, "DATABASE_URL": f"{postgres}/{database}"}
        for step in (["migrate", "--verbosity", "0"], ["collectstatic", "--noinput", "--verbosity", "0"]):
            subprocess.run([PYTHON, "manage.py", *step], env=direct, cwd=ROOT, check=True)
        subprocess.run([PYTHON, str(Path(__file__)), "--setup"], env=direct, cwd=ROOT, check=True)
        cast = json.loads((var / "cast.json").read_text())

        for number, web_port in enumerate(web_ports):
            start(
                [PYTHON, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{web_port}", "--workers", "1"],
                env,
                work / f"web{number}.log",
            )
        for number in range(3):
            start([PYTHON, "manage.py", "db_worker", "--interval", "0.5"], env, work / f"worker{number}.log")
        upstream = "".join(f"server 127.0.0.1:{p};" for p in web_ports)
        (work / "nginx.conf").write_text(
            f"daemon off; pid {work}/nginx.pid; error_log {work}/nginx-error.log; worker_processes 1;\n"
            f"events {{ worker_connections 256; }}\n"
            f"http {{ access_log {work}/nginx-access.log; client_max_body_size 40m;\n"
            f"client_body_temp_path {work}/nginx-body; proxy_temp_path {work}/nginx-proxy;\n"
            f"fastcgi_temp_path {work}/nginx-fcgi; uwsgi_temp_path {work}/nginx-uwsgi;\n"
            f"scgi_temp_path {work}/nginx-scgi;\n"
            f"gzip on; gzip_types text/css application/javascript application/json;\n"
            f"upstream web {{ {upstream} }}\n"
            f"server {{ listen 127.0.0.1:{base};\n"
            f"  location /static/ {{ alias {var}/static/; }}\n"
            f"  location / {{ proxy_pass http://web; proxy_set_header Host $host; "
            f"proxy_set_header X-Real-IP $remote_addr; }} }} }}\n"
        )
        front = start([nginx, "-c", str(work / "nginx.conf"), "-p", str(work)], env, work / "nginx.log")
        site = f"http://127.0.0.1:{base}"
        for web_port in web_ports:
            wait_for(f"http://127.0.0.1:{web_port}/healthz")
        wait_for(f"{site}/healthz")
        time.sleep(0.5)
        if front.poll() is not None:
            raise SystemExit(
                f"nginx did not start (port {base} taken?): {(work / 'nginx-error.log').read_text()[-500:]}"
            )
        say(f"nginx on {site}, gunicorn on {web_ports}, 3 workers, PgBouncer on {bouncer_port}")

        # ---- the load: uploads (some twice), extra days, pages
        from tests.media_files import jpeg_with_gps

        photo = jpeg_with_gps(width=2400, height=1800)
        staff = {"Authorization": f"Bearer {cast['staff_token']}"}
        errors: list[str] = []

        def upload(number: int) -> None:
            response = requests.post(
                f"{site}/api/v1/groups/{cast['group']}/media",
                headers=staff,
                files={"file": (f"foto{number}.jpg", photo, "image/jpeg")},
                data={
                    "upload_key": f"check-upload-{number % UPLOADS:04d}",
                    "caption": "",
                    "children": [cast["children"][0]],
                },
                timeout=120,
            )
            if response.status_code not in (200, 201):
                errors.append(f"upload {number}: {response.status_code} {response.text[:200]}")

        def extra_day(number: int) -> None:
            guardian = cast["guardians"][number % len(cast["guardians"])]
            response = requests.post(
                f"{site}/api/v1/children/{guardian['child']}/extra-days",
                headers={"Authorization": f"Bearer {guardian['token']}"},
                json={"date": cast["days"][number // len(cast["guardians"])], "day_parts": ["afternoon"]},
                timeout=60,
            )
            if response.status_code not in (200, 201):
                errors.append(f"extra day {number}: {response.status_code} {response.text[:200]}")

        def pages(number: int) -> None:
            guardian = cast["guardians"][number % len(cast["guardians"])]
            for path in ("/api/v1/me", "/api/v1/media", f"/api/v1/children/{guardian['child']}/calendar"):
                response = requests.get(
                    f"{site}{path}", headers={"Authorization": f"Bearer {guardian['token']}"}, timeout=60
                )
                if response.status_code != 200:
                    errors.append(f"{path}: {response.status_code}")

        started = time.monotonic()
        jobs = [threading.Thread(target=upload, args=(n,)) for n in range(UPLOADS + DUPLICATES)]
        jobs += [threading.Thread(target=extra_day, args=(n,)) for n in range(REQUESTS)]
        jobs += [threading.Thread(target=pages, args=(n,)) for n in range(12)]
        for job in jobs:
            job.start()
        for job in jobs:
            job.join()
        say(f"load: {len(jobs)} clients done in {time.monotonic() - started:.1f} s")
        failures += errors

        # ---- sessions: one login through nginx, valid on every web process
        browser = requests.Session()
        browser.get(f"{site}/accounts/login/", timeout=30)
        login = browser.post(
            f"{site}/accounts/login/",
            data={
                "email": cast["guardians"][0]["email"],
                "password": PASSWORD,
                "csrfmiddlewaretoken": browser.cookies.get("csrftoken", ""),
            },
            headers={"Referer": f"{site}/accounts/login/"},
            allow_redirects=False,
            timeout=30,
        )
        if login.status_code != 302:
            failures.append(f"login through nginx: {login.status_code}")
        for web_port in web_ports:
            page = browser.get(f"http://127.0.0.1:{web_port}/home/", allow_redirects=False, timeout=30)
            if page.status_code != 200:
                failures.append(f"the session is not valid on web process :{web_port} ({page.status_code})")

        # ---- kept reads: the Today page is kept in each process; a write through another one
        # shows on every process's next page
        guardian = cast["guardians"][0]
        for web_port in web_ports:  # read, and so kept, in every process
            browser.get(f"http://127.0.0.1:{web_port}/home/", timeout=30)
        written = f"prod-check bericht {time.time_ns()}"
        sent = requests.post(
            f"http://127.0.0.1:{web_ports[0]}/api/v1/messages/threads",
            headers={"Authorization": f"Bearer {guardian['token']}"},
            data={"child_id": guardian["child"], "body": written},
            timeout=30,
        )
        if sent.status_code != 201:
            failures.append(f"a guardian's message: {sent.status_code} {sent.text[:200]}")
        for web_port in web_ports:
            page = browser.get(f"http://127.0.0.1:{web_port}/home/", timeout=30)
            if written not in page.text:
                failures.append(f"web process :{web_port} showed a kept Today page without the new message")

        # ---- wait for the workers, then check
        result = subprocess.run(
            [PYTHON, str(Path(__file__)), "--verify", s3.endpoint],
            env=direct,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        say(result.stdout.strip())
        if result.returncode != 0:
            failures.append(result.stderr.strip()[-2000:] or "the verification failed")
        leftovers = [p for p in (var / "private").rglob("*") if p.is_file()] if (var / "private").exists() else []
        if leftovers:
            failures.append(f"files left on the local disk: {leftovers[:5]}")
    finally:
        for process in reversed(processes):
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
        if s3 is not None:
            s3.stop()
        if not failures:
            shutil.rmtree(work, ignore_errors=True)
    if failures:
        say("FAILED:\n  " + "\n  ".join(failures) + f"\n(logs in {work})")
        raise SystemExit(1)
    say("prod-check passed")


def setup() -> None:
    """In the check's database: an organisation, a group, its staff and six families."""
    import datetime as dt

    import django

    django.setup()
    from django.conf import settings

    from portal.accounts.models import User
    from portal.accounts.services import api_token_create
    from portal.children.models import Child, Guardian, Placement, ScheduledDayPart
    from portal.core import clock
    from portal.core.scoping import across_organisations
    from portal.organisations.models import Group, GroupStaff, Location, Organisation, RosterPattern

    today = clock.today()
    with across_organisations():
        org = Organisation.objects.create(name="Controle", slug="controle")
        location = Location.objects.create(
            organisation=org, name="L", street="S 1", postcode="1000 AA", city="U", phone="1", lrk_number="1"
        )
        group = Group.objects.create(location=location, name="Rupsjes", kind=Group.Kind.DAYCARE)
        for weekday in range(5):
            for part in ("morning", "afternoon"):
                RosterPattern.objects.create(group=group, weekday=weekday, day_part=part, professionals=4)
        worker = User.objects.create_user("staf@controle.test", PASSWORD, full_name="Staf")
        GroupStaff.objects.create(user=worker, group=group)
        guardians, children = [], []
        for number in range(6):
            parent = User.objects.create_user(f"ouder{number}@controle.test", PASSWORD, full_name=f"Ouder {number}")
            kid = Child.objects.create(
                organisation=org,
                first_name=f"Kind{number}",
                last_name="Controle",
                birth_date=today - dt.timedelta(days=500),
                photo_consent=True,
            )
            Guardian.objects.create(user=parent, child=kid)
            placement = Placement.objects.create(child=kid, group=group, start_date=today - dt.timedelta(days=30))
            ScheduledDayPart.objects.create(placement=placement, weekday=0, day_part="morning")
            children.append(kid.pk)
            token = api_token_create(user=parent, device_name="check")[1]
            guardians.append({"email": parent.email, "child": kid.pk, "token": token})
        days = [
            today + dt.timedelta(days=d) for d in range(7, 30) if (today + dt.timedelta(days=d)).weekday() in (1, 2)
        ]
        cast = {
            "group": group.pk,
            "children": children,
            "staff_token": api_token_create(user=worker, device_name="check")[1],
            "guardians": guardians,
            "days": [d.isoformat() for d in days],
        }
    Path(settings.VAR_DIR).mkdir(parents=True, exist_ok=True)
    (Path(settings.VAR_DIR) / "cast.json").write_text(json.dumps(cast))


def verify(endpoint: str) -> None:
    """After the queue drained: the promises, read from the database and the bucket."""
    import django

    django.setup()
    from django_tasks_db.models import DBTaskResult

    from portal.core.scoping import across_organisations
    from portal.media.models import MediaItem, Rendition
    from portal.planning.models import PlanningRequest
    from tests.object_storage import S3Server

    deadline = time.monotonic() + 240
    # Due tasks (not those set for later, such as the evening's summary mail) and running ones.
    while DBTaskResult.objects.ready().exists() or DBTaskResult.objects.running().exists():
        if time.monotonic() > deadline:
            raise SystemExit("the workers did not finish the queue in four minutes")
        time.sleep(1)
    problems = []
    with across_organisations():
        items = list(MediaItem.objects.all())
        if len(items) != UPLOADS:
            problems.append(f"{len(items)} photos stored for {UPLOADS} different uploads")
        not_ready = [i.pk for i in items if i.state != "ready"]
        if not_ready:
            problems.append(f"photos not processed: {not_ready}")
        if any(i.incoming for i in items):
            problems.append("an upload's incoming file was left behind")
        processing = DBTaskResult.objects.filter(task_path__endswith="process_media")
        per_item: dict[str, int] = {}
        for task in processing:
            key = json.dumps(task.args_kwargs, sort_keys=True)
            per_item[key] = per_item.get(key, 0) + 1
            if task.status != "SUCCESSFUL" or len(task.worker_ids) != 1:
                problems.append(f"task {task.pk}: {task.status}, taken by {task.worker_ids}")
        doubled = [k for k, n in per_item.items() if n > 1]
        if doubled or len(per_item) != UPLOADS:
            problems.append(f"processing tasks: {len(per_item)} for {UPLOADS} photos, twice: {doubled}")
        renditions = list(Rendition.objects.values_list("file", flat=True))
        if len(renditions) != 3 * UPLOADS:
            problems.append(f"{len(renditions)} renditions for {UPLOADS} photos")
        requests_made = PlanningRequest.objects.count()
        if requests_made != REQUESTS:
            problems.append(f"{requests_made} planning requests stored for {REQUESTS} sent")
    server = S3Server(endpoint, None, Path("/nonexistent"))  # type: ignore[arg-type]
    keys = set(server.keys())
    missing = [name for name in renditions if name not in keys]
    if missing:
        problems.append(f"files not in the bucket: {missing[:5]}")
    workers = {w for task in DBTaskResult.objects.exclude(status="READY") for w in task.worker_ids}
    print(
        f"checked: {len(items)} photos, {len(renditions)} files in the bucket, {requests_made} requests, "
        f"{DBTaskResult.objects.exclude(status='READY').count()} tasks done once each by {len(workers)} workers"
    )
    if problems:
        sys.stderr.write("\n".join(problems))
        raise SystemExit(1)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--setup"]:
        setup()
    elif sys.argv[1:2] == ["--verify"]:
        verify(sys.argv[2])
    else:
        main()
