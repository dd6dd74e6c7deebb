"""/healthz and /readyz: small JSON, any Host header, readiness follows the database."""

import socket

from django.test import TestCase, override_settings

from .support import last_json_line, run_python

POD_HOST = "10.244.1.17:8080"  # kubelet probes with the pod IP as Host

PROBE_CHILD = (
    """
import django, json, os, time
django.setup()
from django.test import Client
c = Client()
out = {}
for path in ("/readyz", "/readyz", "/healthz"):
    start = time.monotonic()
    r = c.get(path, HTTP_HOST="%s")
    seconds = time.monotonic() - start
    out.setdefault(path, []).append({"status": r.status_code, "body": r.json(), "seconds": seconds})
print(json.dumps(out), flush=True)
os._exit(0)  # a readiness check may still be pending in its thread
"""
    % POD_HOST
)


@override_settings(ALLOWED_HOSTS=["app.example.org"])
class ProbeTests(TestCase):
    def test_healthz_answers_any_host_without_touching_the_database(self):
        with self.assertNumQueries(0):
            response = self.client.get("/healthz", HTTP_HOST=POD_HOST)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok"})
        self.assertEqual(response["Content-Type"], "application/json")

    def test_other_paths_still_enforce_allowed_hosts(self):
        self.assertEqual(self.client.get("/", HTTP_HOST=POD_HOST).status_code, 400)
        self.assertEqual(self.client.get("/", HTTP_HOST="app.example.org").status_code, 200)

    def test_readyz_runs_select_1_against_postgresql(self):
        response = self.client.get("/readyz", HTTP_HOST=POD_HOST)
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.json(), {"status": "ok", "database": "ok"})

    def test_probes_accept_only_get_and_head(self):
        self.assertEqual(self.client.head("/healthz", HTTP_HOST=POD_HOST).status_code, 200)
        response = self.client.post("/readyz", HTTP_HOST=POD_HOST)
        self.assertEqual(response.status_code, 405)
        self.assertEqual(response["Allow"], "GET, HEAD")


class ReadinessFailureTests(TestCase):
    """A child process whose DATABASE_URL points at a dead or silent server."""

    def test_readyz_is_503_when_the_database_refuses_connections(self):
        with socket.socket() as closed:  # bound, not listening: connections are refused
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
            out = last_json_line(
                run_python(
                    PROBE_CHILD, SECRET_KEY="k", DATABASE_URL=f"postgres://app:pw@127.0.0.1:{port}/app"
                )
            )
        for probe in out["/readyz"]:
            self.assertEqual(probe["status"], 503)
            self.assertEqual(probe["body"]["status"], "unavailable")
            self.assertEqual(probe["body"]["reason"], "database: OperationalError")
            # A refused connection fails at once; the bound only has to hold on a busy machine.
            self.assertLess(probe["seconds"], 10)
        self.assertEqual(out["/healthz"][0]["status"], 200)

    def test_readyz_gives_up_after_readiness_timeout_when_the_database_hangs(self):
        # Accepts TCP but never answers, like pgbouncer holding a query while PostgreSQL is down.
        with socket.socket() as silent:
            silent.bind(("127.0.0.1", 0))
            silent.listen(8)
            port = silent.getsockname()[1]
            out = last_json_line(
                run_python(
                    PROBE_CHILD,
                    SECRET_KEY="k",
                    DATABASE_URL=f"postgres://app:pw@127.0.0.1:{port}/app",
                    DATABASE_CONNECT_TIMEOUT="30",
                    READINESS_TIMEOUT="1",
                )
            )
        for probe in out["/readyz"]:
            self.assertEqual(probe["status"], 503)
            self.assertEqual(probe["body"], {"status": "unavailable", "reason": "database: timeout"})
            # READINESS_TIMEOUT (1 s) ends the wait, not the 30 s connect timeout; wide bounds for a busy machine.
            self.assertLess(probe["seconds"], 15)
        self.assertEqual(out["/healthz"][0]["status"], 200)
        self.assertLess(out["/healthz"][0]["seconds"], 15)
