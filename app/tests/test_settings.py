"""The environment contract: what the pod sets, and what makes it refuse to start."""

import secrets

from django.core.management import call_command
from django.test import TestCase

from .support import SAMPLE_URL, last_json_line, run_manage, run_python

DUMP = """
import django, json
django.setup()
from django.conf import settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "DEBUG": s.DEBUG, "ALLOWED_HOSTS": s.ALLOWED_HOSTS, "CSRF_TRUSTED_ORIGINS": s.CSRF_TRUSTED_ORIGINS,
    "SESSION_COOKIE_SECURE": s.SESSION_COOKIE_SECURE, "CSRF_COOKIE_SECURE": s.CSRF_COOKIE_SECURE,
    "SECURE_PROXY_SSL_HEADER": s.SECURE_PROXY_SSL_HEADER, "STATIC_URL": s.STATIC_URL,
    "db": {k: db[k] for k in ("ENGINE", "HOST", "PORT", "NAME", "USER", "OPTIONS", "CONN_MAX_AGE",
                              "CONN_HEALTH_CHECKS", "DISABLE_SERVER_SIDE_CURSORS")},
}))
"""


class SettingsContractTests(TestCase):
    def test_refuses_to_start_without_secret_key_when_not_debug(self):
        for debug in (None, "false"):
            with self.subTest(DEBUG=debug):
                proc = run_manage("check", DEBUG=debug, DATABASE_URL=SAMPLE_URL)
                self.assertNotEqual(proc.returncode, 0)
                self.assertIn("SECRET_KEY must be set when DEBUG is false", proc.stderr)

    def test_debug_starts_without_secret_key(self):
        proc = run_manage("check", DEBUG="true", DATABASE_URL=SAMPLE_URL)
        self.assertEqual(proc.returncode, 0, proc.stderr)

    def test_refuses_to_start_without_a_postgres_database_url(self):
        for url, message in ((None, "DATABASE_URL must be set"), ("sqlite:///x.db", "postgres://")):
            with self.subTest(url=url):
                proc = run_manage("check", SECRET_KEY="k", DATABASE_URL=url)
                self.assertNotEqual(proc.returncode, 0)
                self.assertIn(message, proc.stderr)

    def test_environment_is_parsed_as_the_pod_sets_it(self):
        s = last_json_line(
            run_python(
                DUMP,
                SECRET_KEY="k",
                DATABASE_URL=SAMPLE_URL,
                ALLOWED_HOSTS="app.example.org, www.example.org",
                CSRF_TRUSTED_ORIGINS="https://app.example.org,https://www.example.org",
            )
        )
        self.assertFalse(s["DEBUG"])
        self.assertEqual(s["ALLOWED_HOSTS"], ["app.example.org", "www.example.org"])
        self.assertEqual(s["CSRF_TRUSTED_ORIGINS"], ["https://app.example.org", "https://www.example.org"])
        self.assertTrue(s["SESSION_COOKIE_SECURE"])
        self.assertTrue(s["CSRF_COOKIE_SECURE"])
        self.assertEqual(s["SECURE_PROXY_SSL_HEADER"], ["HTTP_X_FORWARDED_PROTO", "https"])
        self.assertEqual(s["STATIC_URL"], "/assets/")
        db = s["db"]
        self.assertEqual(db["ENGINE"], "django.db.backends.postgresql")
        self.assertEqual(
            (db["HOST"], db["PORT"], db["NAME"], db["USER"]), ("db.example.internal", 25061, "app", "app")
        )
        self.assertEqual(db["OPTIONS"], {"sslmode": "require", "connect_timeout": 5})
        # pgbouncer in transaction mode
        self.assertTrue(db["DISABLE_SERVER_SIDE_CURSORS"])
        self.assertEqual(db["CONN_MAX_AGE"], 0)
        self.assertFalse(db["CONN_HEALTH_CHECKS"])

    def test_debug_relaxes_cookie_security_and_conn_max_age_is_configurable(self):
        s = last_json_line(run_python(DUMP, DEBUG="true", DATABASE_URL=SAMPLE_URL, CONN_MAX_AGE="60"))
        self.assertTrue(s["DEBUG"])
        self.assertFalse(s["SESSION_COOKIE_SECURE"])
        self.assertEqual(s["db"]["CONN_MAX_AGE"], 60)
        self.assertTrue(s["db"]["CONN_HEALTH_CHECKS"])

    def test_invalid_values_are_refused(self):
        proc = run_manage("check", DEBUG="maybe", SECRET_KEY="k", DATABASE_URL=SAMPLE_URL)
        self.assertNotEqual(proc.returncode, 0)
        self.assertIn("DEBUG must be true or false", proc.stderr)

    def test_deployment_checks_pass(self):
        proc = run_manage(
            "check",
            "--deploy",
            "--fail-level",
            "WARNING",
            SECRET_KEY=secrets.token_urlsafe(50),
            DATABASE_URL=SAMPLE_URL,
            ALLOWED_HOSTS="app.example.org",
            CSRF_TRUSTED_ORIGINS="https://app.example.org",
        )
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)

    def test_logs_go_to_stdout(self):
        proc = run_python(
            "import django, logging; django.setup(); logging.getLogger('guestbook').warning('hello-stdout')",
            SECRET_KEY="k",
            DATABASE_URL=SAMPLE_URL,
        )
        self.assertEqual(proc.returncode, 0, proc.stderr)
        self.assertIn("WARNING guestbook hello-stdout", proc.stdout)
        self.assertNotIn("hello-stdout", proc.stderr)

    def test_migrations_match_the_models(self):
        call_command("makemigrations", "--check", "--dry-run", verbosity=0)
