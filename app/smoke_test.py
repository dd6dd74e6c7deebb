"""Smoke test: the image's gunicorn command against PostgreSQL behind pgbouncer.

Standard library only. Environment (set by scripts/app-test.sh):
  SMOKE_DATABASE_URL          what the pods get (the pool, as the runtime role app_web)
  SMOKE_MIGRATE_DATABASE_URL  what the migrations Job gets (direct, as the owner role app)
  SMOKE_PG_STOP, SMOKE_PG_START  shell commands that stop and start PostgreSQL
  SMOKE_PORT                  default 8080 (a free port if 8080 is taken)

As root, gunicorn runs in a private mount namespace where / is read-only and /tmp is a
fresh tmpfs, as uid 10001 with HOME=/, like the pod (readOnlyRootFilesystem, emptyDir /tmp).
"""

import http.client
import json
import os
import re
import secrets
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
HOST = "app.example.test"
POD_HOST = "10.244.0.17:8080"
GUNICORN_CMD = ["gunicorn", "-c", "gunicorn.conf.py", "webapp.wsgi"]  # the image's CMD
UID = 10001

# Mount namespace: read-only root, writable /tmp; then drop to the image's numeric user.
# The app folder is carried over read-only, as it may itself live under /tmp (a CI checkout).
SANDBOX = (
    f"app={shlex.quote(str(APP_DIR))} && "
    'mount --bind "$app" /mnt && '
    "mount -o remount,bind,ro / && "
    "mount -t tmpfs -o mode=1777,nosuid,nodev,size=64m tmpfs /tmp && "
    'mkdir -p "$app" && mount --bind /mnt "$app" && mount -o remount,bind,ro "$app" && umount /mnt && '
    'cd "$app" && exec "$@"'
)


class Failed(Exception):
    pass


class Smoke:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.port = None
        self.proc = None
        self.log_path = None
        self.pg_stopped = False
        self.notes = []

    # -- bookkeeping -------------------------------------------------------------

    def check(self, name, condition, detail=""):
        if condition:
            self.passed += 1
            print(f"  ok    {name}", flush=True)
        else:
            self.failed += 1
            print(f"  FAIL  {name} {detail}", flush=True)
        return condition

    def require(self, name, condition, detail=""):
        if not self.check(name, condition, detail):
            raise Failed(name)

    # -- HTTP --------------------------------------------------------------------

    def request(self, method, path, host=HOST, headers=None, body=None, timeout=10):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            all_headers = {"Host": host, "X-Forwarded-Proto": "https"}  # as ingress-nginx sends
            all_headers.update(headers or {})
            conn.request(method, path, body=body, headers=all_headers)
            response = conn.getresponse()
            return response.status, dict(response.getheaders()), response.read().decode("utf-8", "replace")
        finally:
            conn.close()

    def get_json(self, path, host=POD_HOST, timeout=10):
        try:
            status, _, body = self.request("GET", path, host=host, timeout=timeout)
        except (OSError, http.client.HTTPException) as exc:
            return None, {"error": str(exc)}
        try:
            return status, json.loads(body)
        except ValueError:
            return status, {"raw": body[:200]}

    def wait_for(self, path, want_status, seconds):
        deadline = time.monotonic() + seconds
        status, body = None, None
        while time.monotonic() < deadline:
            status, body = self.get_json(path)
            if status == want_status:
                return status, body
            time.sleep(0.5)
        return status, body

    # -- processes -----------------------------------------------------------------

    def manage(self, *args, database_url):
        env = base_env(database_url)
        subprocess.run([str(VENV_BIN / "python"), "manage.py", *args], cwd=APP_DIR, env=env, check=True)

    def current_user(self, database_url):
        code = (
            "from django.db import connection\n"
            "with connection.cursor() as cursor:\n"
            "    cursor.execute('SELECT current_user')\n"
            "    print(cursor.fetchone()[0])"
        )
        proc = subprocess.run(
            [str(VENV_BIN / "python"), "manage.py", "shell", "-v", "0", "-c", code],
            cwd=APP_DIR,
            env=base_env(database_url),
            capture_output=True,
            text=True,
        )
        return proc.stdout.strip() if proc.returncode == 0 else f"error: {proc.stderr.strip()[-200:]}"

    def pg(self, which):
        command = os.environ[f"SMOKE_PG_{which.upper()}"]
        subprocess.run(command, shell=True, check=True, stdout=subprocess.DEVNULL)
        self.pg_stopped = which == "stop"

    def sandbox_prefix(self):
        if os.geteuid() != 0:
            self.notes.append("not root: gunicorn ran as the current user, root filesystem writable")
            return []
        if not (shutil.which("unshare") and shutil.which("setpriv")):
            self.notes.append("unshare/setpriv missing: root filesystem writable")
            return []
        probe = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", "mount -o remount,bind,ro /"],
            capture_output=True,
        )
        if probe.returncode != 0:
            self.notes.append("no private mount namespace here: root filesystem writable")
            return []
        prefix = ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", SANDBOX, "sandbox"]
        drop = ["setpriv", f"--reuid={UID}", f"--regid={UID}", "--clear-groups", "--"]
        readable = subprocess.run(
            [*prefix, *drop, "gunicorn", "--version"], cwd=APP_DIR, env=base_env(""), capture_output=True
        )
        if readable.returncode == 0:
            self.notes.append(f"read-only / and tmpfs /tmp (mount namespace), uid {UID}, HOME=/")
            return prefix + drop
        self.notes.append(
            f"read-only / and tmpfs /tmp (mount namespace), but as root: uid {UID} cannot read the venv"
        )
        return prefix

    def check_sandbox(self, prefix):
        probe = APP_DIR / ".smoke-write-probe"
        app_write = subprocess.run([*prefix, "touch", str(probe)], capture_output=True, text=True)
        if probe.exists():
            probe.unlink()
        self.check("sandbox: app dir is not writable", app_write.returncode != 0, app_write.stderr)
        self.check(
            "sandbox: root filesystem is read-only",
            "Read-only file system" in app_write.stderr,
            app_write.stderr,
        )
        tmp_write = subprocess.run(
            [*prefix, "sh", "-c", "touch /tmp/probe && rm /tmp/probe"], capture_output=True, text=True
        )
        self.check("sandbox: /tmp is writable", tmp_write.returncode == 0, tmp_write.stderr)

    def start_gunicorn(self, prefix, database_url):
        env = base_env(database_url)
        env.update(
            HOME="/",
            PORT=str(self.port),
            BIND_ADDRESS="127.0.0.1",
            GUNICORN_WORKERS="2",
            ALLOWED_HOSTS=HOST,
            CSRF_TRUSTED_ORIGINS=f"https://{HOST}",
        )
        self.log_path = Path(tempfile.mkstemp(prefix="smoke-gunicorn-", suffix=".log")[1])
        log = self.log_path.open("wb")
        self.proc = subprocess.Popen(
            [*prefix, *GUNICORN_CMD],
            cwd=APP_DIR,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        log.close()

    def stop_gunicorn(self):
        if self.proc is None or self.proc.poll() is not None:
            return self.proc.returncode if self.proc else None
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            return self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()
            return None

    def log_text(self):
        return self.log_path.read_text(errors="replace") if self.log_path and self.log_path.exists() else ""

    # -- the test ------------------------------------------------------------------

    def run(self):
        pool_url = os.environ["SMOKE_DATABASE_URL"]
        direct_url = os.environ["SMOKE_MIGRATE_DATABASE_URL"]
        self.port = pick_port(int(os.environ.get("SMOKE_PORT", "8080")))

        print("smoke: image build step: collectstatic", flush=True)
        self.manage("collectstatic", "--noinput", "-v", "0", database_url=direct_url)
        print("smoke: migrations Job: migrate --noinput (direct URL)", flush=True)
        self.manage("migrate", "--noinput", "-v", "0", database_url=direct_url)

        before = snapshot(APP_DIR)
        prefix = self.sandbox_prefix()
        print(f"smoke: sandbox: {self.notes[-1]}", flush=True)
        if "unshare" in prefix:
            self.check_sandbox(prefix)
        print(f"smoke: {' '.join(GUNICORN_CMD)} on 127.0.0.1:{self.port} (DATABASE_URL = pool)", flush=True)
        self.start_gunicorn(prefix, pool_url)

        status, body = self.wait_for("/healthz", 200, 30)
        self.require("gunicorn starts and /healthz answers 200 with a pod-IP Host", status == 200, body)
        self.check("/healthz body", body == {"status": "ok"}, body)
        status, body = self.get_json("/readyz")
        self.check(
            "/readyz is 200 through pgbouncer", status == 200 and body.get("status") == "ok", (status, body)
        )

        status, headers, page = self.request("GET", "/")
        self.require("GET / renders the guestbook", status == 200, status)
        cookie = re.search(r"csrftoken=([^;]+)", headers.get("Set-Cookie", ""))
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        self.require("GET / sets a CSRF cookie and form token", bool(cookie and token))
        self.check(
            "CSRF cookie is Secure", "Secure" in headers.get("Set-Cookie", ""), headers.get("Set-Cookie")
        )

        message = f"smoke {secrets.token_hex(6)}"
        form = urllib.parse.urlencode(
            {"name": "smoke", "message": message, "csrfmiddlewaretoken": token.group(1)}
        ).encode()
        post_headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={cookie.group(1)}",
            "Origin": f"https://{HOST}",
        }
        status, headers, _ = self.request("POST", "/", headers=post_headers, body=form)
        self.check(
            "POST / with CSRF token redirects",
            status == 302 and headers.get("Location") == "/",
            (status, headers),
        )
        status, _, page = self.request("GET", "/")
        self.check("the posted entry is read back", status == 200 and message in page)
        runtime = urllib.parse.urlsplit(pool_url).username
        owner = urllib.parse.urlsplit(direct_url).username
        user = self.current_user(pool_url)
        self.check(
            f"the pool's sessions run as {runtime}, not as the owner {owner}",
            user == runtime and user != owner,
            user,
        )
        no_token = urllib.parse.urlencode({"name": "x", "message": "no token"}).encode()
        status, _, _ = self.request(
            "POST", "/", headers={"Content-Type": "application/x-www-form-urlencoded"}, body=no_token
        )
        self.check("POST / without CSRF token is 403", status == 403, status)
        status, _, _ = self.request("GET", "/", host=POD_HOST)
        self.check("unknown Host on a page is 400", status == 400, status)

        status, _, page = self.request("GET", "/about/")
        self.check(
            "/about/ references /static/ assets",
            status == 200 and '"/static/site.css"' in page and '"/static/logo.svg"' in page,
        )
        status, _, page = self.request("GET", "/admin/login/")
        css = re.search(r'href="(/assets/admin/css/base\.[0-9a-f]+\.css)"', page)
        self.check("admin login page renders", status == 200 and css is not None, status)
        if css:
            status, headers, _ = self.request("GET", css.group(1))
            self.check(
                "admin CSS served by WhiteNoise under /assets/",
                status == 200 and headers.get("Content-Type", "").startswith("text/css"),
                status,
            )

        print("smoke: stopping PostgreSQL", flush=True)
        self.pg("stop")
        started = time.monotonic()
        status, body = self.wait_for("/readyz", 503, 30)
        self.check(
            f"/readyz turns 503 with PostgreSQL down ({time.monotonic() - started:.1f} s)",
            status == 503,
            (status, body),
        )
        self.check(
            "/readyz 503 body is short JSON with a reason",
            body.get("status") == "unavailable" and body.get("reason", "").startswith("database:"),
            body,
        )
        started = time.monotonic()
        status, body = self.get_json("/healthz", timeout=5)
        self.check(
            f"/healthz stays 200 with PostgreSQL down ({time.monotonic() - started:.2f} s)",
            status == 200,
            (status, body),
        )
        status, _ = self.get_json("/readyz")
        self.check("/readyz stays 503 on a repeated probe", status == 503, status)

        print("smoke: starting PostgreSQL", flush=True)
        self.pg("start")
        started = time.monotonic()
        status, body = self.wait_for("/readyz", 200, 60)
        self.check(
            f"/readyz recovers to 200 without a restart ({time.monotonic() - started:.1f} s)",
            status == 200,
            (status, body),
        )
        status, _, page = self.request("GET", "/")
        self.check("the entry survived the database restart", status == 200 and message in page)

        code = self.stop_gunicorn()
        self.check("gunicorn stops cleanly on SIGTERM", code == 0, code)
        log = self.log_text()
        self.check("access log on stdout", re.search(r'"GET /healthz HTTP/1\.1" 200', log) is not None)
        self.check("2 workers booted (GUNICORN_WORKERS)", len(re.findall(r"Booting worker", log)) == 2)
        bad = [
            line
            for line in log.splitlines()
            if re.search(r"(?i)Read-only file system|permission denied|control socket|OSError", line)
        ]
        self.check("no write or permission errors in the logs", not bad, bad[:3])
        changed = snapshot(APP_DIR) ^ before
        self.check("nothing written under app/ at runtime", not changed, sorted(changed)[:5])

    def main(self):
        try:
            self.run()
        except Failed:
            pass
        except Exception as exc:  # noqa: BLE001 - report and fail
            self.check("smoke test ran to the end", False, repr(exc))
        finally:
            if self.pg_stopped:
                self.pg("start")
            self.stop_gunicorn()
        if self.failed and self.log_path:
            print("--- gunicorn log (tail) ---\n" + "\n".join(self.log_text().splitlines()[-40:]), flush=True)
        if self.log_path:
            self.log_path.unlink(missing_ok=True)
        for note in self.notes:
            print(f"smoke: read-only check: {note}", flush=True)
        print(f"smoke: {self.passed} passed, {self.failed} failed", flush=True)
        return 1 if self.failed else 0


def base_env(database_url):
    env = {
        "PATH": f"{VENV_BIN}:/usr/local/bin:/usr/bin:/bin",
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONUNBUFFERED": "1",
        "DATABASE_URL": database_url,
        "SECRET_KEY": secrets.token_urlsafe(50),
    }
    return env


def pick_port(preferred):
    for port in (preferred, 0):
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return s.getsockname()[1]
    raise RuntimeError("no free port")


def snapshot(root):
    """Paths and mtimes under root, except the venv and the collected static files."""
    skip = {root / ".venv", root / "staticfiles"}
    found = set()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if Path(dirpath, d) not in skip]
        for name in filenames:
            path = Path(dirpath, name)
            found.add((str(path.relative_to(root)), path.stat().st_mtime_ns))
    return found


if __name__ == "__main__":
    sys.exit(Smoke().main())
