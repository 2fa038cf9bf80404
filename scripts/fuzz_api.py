"""Fuzz the API with schemathesis against a live server with the demo data (`make fuzz`).

Makes a fresh SQLite database in a temporary folder, loads the demo organisation, starts a
server on a free port, logs in through POST /api/v1/auth/token as a guardian, group staff, a
planner and an admin (the admin with a two-step code, so the admin role is in use), and runs
schemathesis for each with the checks not_a_server_error, response_schema_conformance,
status_code_conformance and content_type_conformance, two roles at a time (each against its own
server process on the one database). Exits non-zero on any failure; the servers are stopped in
every outcome.

    .venv/bin/python scripts/fuzz_api.py [--examples N] [--role guardian] [--seed N] [--parallel N]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PASSWORD = "demo-wachtwoord"
ROLES = {
    "guardian": "ouder@demo.test",
    "staff": "medewerker@demo.test",
    "planner": "planner@demo.test",
    "admin": "beheer@demo.test",
}
CHECKS = "not_a_server_error,response_schema_conformance,status_code_conformance,content_type_conformance"
# Logging out would end the run's own token; it is tested in the suite.
EXCLUDE = ["--exclude-operation-id", "portal_api_accounts_token_revoke"]
LOGIN = "portal_api_accounts_token_create"

# The admin's authenticator app: a fixed key, so the fuzzer can compute the code.
TOTP_KEY = "3132333435363738393031323334353637383930"
ADD_TOTP = f"""
from django_otp.plugins.otp_totp.models import TOTPDevice
from portal.accounts.models import User
user = User.objects.get(email="{ROLES["admin"]}")
TOTPDevice.objects.get_or_create(user=user, name="fuzz", defaults={{"key": "{TOTP_KEY}", "confirmed": True}})
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def totp_now() -> str:
    from django_otp.oath import TOTP

    return f"{TOTP(bytes.fromhex(TOTP_KEY)).token():06d}"


def token_for(base: str, email: str, otp: str | None = None) -> str:
    body = {"email": email, "password": PASSWORD, "device_name": "fuzz"}
    if otp:
        body["otp"] = otp
    request = urllib.request.Request(
        f"{base}/api/v1/auth/token",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        return json.load(response)["token"]


def wait_for(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("The server stopped before it answered.")
        try:
            urllib.request.urlopen(url, timeout=2)
            return
        except urllib.error.HTTPError as error:
            raise SystemExit(f"{url} answers {error.code}: {error.read()[:2000]!r}") from error
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"No answer from {url} within {seconds:.0f} seconds.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=int(os.environ.get("FUZZ_EXAMPLES", "5")))
    parser.add_argument("--role", action="append", choices=sorted(ROLES), help="only these roles (default: all)")
    parser.add_argument("--seed", type=int, default=int(os.environ.get("FUZZ_SEED", "1")))
    parser.add_argument(
        "--parallel", type=int, default=int(os.environ.get("FUZZ_PARALLEL", "2")), help="roles at a time (servers)"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="ouderportaal-fuzz-") as var_dir:
        folder = Path(var_dir)
        env = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": "fuzz-only-not-secret-" + "x" * 40,
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SECURE_COOKIES": "0",
            "VAR_DIR": var_dir,
            "DATABASE_URL": f"sqlite:///{var_dir}/fuzz.sqlite3",
            "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
            "LOG_LEVEL": "ERROR",
        }
        env.pop("DJANGO_SETTINGS_MODULE", None)
        manage = [PYTHON, str(ROOT / "manage.py")]
        subprocess.run([*manage, "migrate", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
        subprocess.run([*manage, "load_demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
        # As in production: a redirect that leads out of the API ends on a page, which needs these.
        subprocess.run([*manage, "collectstatic", "--noinput", "--verbosity", "0"], env=env, cwd=ROOT, check=True)
        subprocess.run([*manage, "shell", "-c", ADD_TOTP], env=env, cwd=ROOT, check=True)
        # Roles run side by side, each against its own server process on the one database
        # (SQLite in IMMEDIATE transaction mode: writes wait for each other).
        servers: list[tuple[str, subprocess.Popen]] = []
        failed: list[str] = []
        running: list[tuple[str, IO[str], subprocess.Popen]] = []
        try:
            for index in range(max(1, args.parallel)):
                port = free_port()
                server = subprocess.Popen(
                    [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"],
                    env={**env, "SITE_URL": f"http://127.0.0.1:{port}"},
                    cwd=ROOT,
                    stdout=subprocess.DEVNULL,
                    stderr=open(folder / f"server-{index}.log", "w"),  # noqa: SIM115 (closed with the folder)
                    start_new_session=True,
                )
                servers.append((f"http://127.0.0.1:{port}", server))
            for base, server in servers:
                wait_for(f"{base}/api/v1/openapi.json", server)
            base = servers[0][0]
            tokens = {role: token_for(base, email) for role, email in ROLES.items() if role != "admin"}
            tokens["admin"] = token_for(base, ROLES["admin"], otp=totp_now())
            roles = args.role or list(ROLES)
            for start in range(0, len(roles), len(servers)):
                running.clear()
                for role, (base, _server) in zip(roles[start : start + len(servers)], servers, strict=False):
                    # Logging in takes no token: it is fuzzed once, with the first role.
                    once = [] if role == roles[0] else ["--exclude-operation-id", LOGIN]
                    command = [
                        str(Path(PYTHON).parent / "schemathesis"),
                        "--config-file",
                        str(ROOT / "scripts" / "schemathesis.toml"),
                        "--no-color",
                        "run",
                        f"{base}/api/v1/openapi.json",
                        "--checks",
                        CHECKS,
                        "--header",
                        f"Authorization: Bearer {tokens[role]}",
                        "--max-examples",
                        str(args.examples),
                        "--seed",
                        str(args.seed),
                        "--phases",
                        "examples,coverage,fuzzing",
                        "--workers",
                        "1",
                        "--request-timeout",
                        "30",
                        *EXCLUDE,
                        *once,
                    ]
                    output = open(folder / f"{role}.txt", "w+")  # noqa: SIM115 (closed below)
                    running.append((role, output, subprocess.Popen(command, cwd=var_dir, stdout=output, stderr=output)))
                for role, output, process in running:
                    code = process.wait()
                    output.seek(0)
                    print(f"== schemathesis as {role} ({ROLES[role]})\n{output.read()}", flush=True)
                    output.close()
                    if code != 0:
                        failed.append(role)
        finally:
            for _role, _output, process in running:
                if process.poll() is None:
                    process.kill()
                    process.wait()
            for _base, server in servers:
                os.killpg(server.pid, signal.SIGTERM)
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(server.pid, signal.SIGKILL)
                    server.wait()
            log = "".join(path.read_text(errors="replace") for path in sorted(folder.glob("server-*.log")))
            if "Traceback" in log:
                first = log.index("Traceback")
                print(f"== {log.count('Traceback')} tracebacks in the server logs; the first:")
                print(log[first : first + 4000])
    if failed:
        print(f"Fuzzing found failures as: {', '.join(failed)}")
        return 1
    print("Fuzzing found no failures.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
