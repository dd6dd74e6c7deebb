"""The guestbook reads and writes PostgreSQL; posts are CSRF-protected."""

import re
from datetime import timedelta

from django.db import connection
from django.test import Client, TestCase, override_settings
from django.utils import timezone

from guestbook.models import Entry
from guestbook.views import LATEST

from .support import APP_DIR

HOST = "app.example.org"
ORIGIN = f"https://{HOST}"


def csrf_token(response):
    return re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()).group(1)


class GuestbookTests(TestCase):
    def test_index_lists_the_latest_entries_newest_first(self):
        now = timezone.now()
        for i in range(LATEST + 5):
            entry = Entry.objects.create(name=f"guest-{i:02d}", message=f"message {i}")
            Entry.objects.filter(pk=entry.pk).update(created_at=now - timedelta(minutes=100 - i))
        with self.assertNumQueries(2):
            response = self.client.get("/")
        self.assertEqual(response.status_code, 200)
        names = re.findall(r"<strong>(guest-\d+)</strong>", response.content.decode())
        self.assertEqual(names, [f"guest-{i:02d}" for i in range(LATEST + 4, 4, -1)])
        self.assertContains(response, f"{LATEST + 5} entries, latest {LATEST} shown")

    def test_empty_guestbook(self):
        self.assertContains(self.client.get("/"), "No entries yet.")

    def test_post_writes_an_entry_and_redirects(self):
        response = self.client.post("/", {"name": "Ada", "message": "Hello from the test suite"})
        self.assertRedirects(response, "/")
        entry = Entry.objects.get()
        self.assertEqual((entry.name, entry.message), ("Ada", "Hello from the test suite"))
        self.assertContains(self.client.get("/"), "Hello from the test suite")

    def test_invalid_post_is_rejected_without_writing(self):
        for data in ({"name": "", "message": "no name"}, {"name": "Bob", "message": "x" * 1001}):
            with self.subTest(data=data):
                response = self.client.post("/", data)
                self.assertEqual(response.status_code, 400)
                self.assertContains(response, "errorlist", status_code=400)
        self.assertFalse(Entry.objects.exists())

    def test_messages_are_html_escaped(self):
        Entry.objects.create(name="<b>mallory</b>", message="<script>alert(1)</script>")
        body = self.client.get("/").content.decode()
        self.assertNotIn("<script>alert(1)</script>", body)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt;", body)

    def test_other_methods_are_refused(self):
        self.assertEqual(self.client.put("/").status_code, 405)
        self.assertEqual(self.client.post("/about/").status_code, 405)


@override_settings(ALLOWED_HOSTS=[HOST])
class CsrfTests(TestCase):
    def setUp(self):
        self.client = Client(enforce_csrf_checks=True)

    def test_post_without_token_is_forbidden(self):
        response = self.client.post("/", {"name": "Eve", "message": "no token"}, HTTP_HOST=HOST)
        self.assertEqual(response.status_code, 403)
        self.assertFalse(Entry.objects.exists())

    def test_post_with_token_from_the_form_is_accepted(self):
        token = csrf_token(self.client.get("/", HTTP_HOST=HOST))
        response = self.client.post(
            "/", {"name": "Ann", "message": "with token", "csrfmiddlewaretoken": token}, HTTP_HOST=HOST
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(Entry.objects.filter(name="Ann").exists())

    def test_https_origin_behind_the_ingress(self):
        token = csrf_token(self.client.get("/", HTTP_HOST=HOST))
        data = {"name": "Tls", "message": "via ingress", "csrfmiddlewaretoken": token}
        forwarded = {"HTTP_HOST": HOST, "HTTP_ORIGIN": ORIGIN, "HTTP_X_FORWARDED_PROTO": "https"}
        # X-Forwarded-Proto makes the request secure, so the https Origin matches.
        self.assertEqual(self.client.post("/", data, **forwarded).status_code, 302)
        # Without it the https Origin does not match an http request ...
        self.assertEqual(self.client.post("/", data, HTTP_HOST=HOST, HTTP_ORIGIN=ORIGIN).status_code, 403)
        # ... unless listed in CSRF_TRUSTED_ORIGINS.
        with self.settings(CSRF_TRUSTED_ORIGINS=[ORIGIN]):
            trusting = Client(enforce_csrf_checks=True)  # the middleware caches the trusted origins
            trusting.cookies = self.client.cookies
            self.assertEqual(trusting.post("/", data, HTTP_HOST=HOST, HTTP_ORIGIN=ORIGIN).status_code, 302)
        # A foreign origin is refused.
        evil = dict(forwarded, HTTP_ORIGIN="https://evil.example")
        self.assertEqual(self.client.post("/", data, **evil).status_code, 403)
        self.assertEqual(Entry.objects.filter(name="Tls").count(), 2)

    def test_cookies_are_secure_when_not_debug(self):
        response = self.client.get("/", HTTP_HOST=HOST)
        self.assertTrue(response.cookies["csrftoken"]["secure"])


class AboutPageTests(TestCase):
    def test_about_uses_assets_that_the_platform_serves_under_static(self):
        response = self.client.get("/about/")
        self.assertEqual(response.status_code, 200)
        refs = set(re.findall(r'(?:href|src)="(/static/[^"]+)"', response.content.decode()))
        self.assertTrue({"/static/site.css", "/static/logo.svg"} <= refs, refs)
        # git-sync publishes app/static-site/ at /static/: every reference must exist there.
        for ref in refs:
            self.assertTrue((APP_DIR / "static-site" / ref.removeprefix("/static/")).is_file(), ref)


class PoolerCompatibilityTests(TestCase):
    """pgbouncer in transaction mode: no prepared statements, no server-side cursors."""

    def test_repeated_queries_are_not_prepared_on_the_server(self):
        for _ in range(10):
            Entry.objects.filter(name="x").count()
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements")
            self.assertEqual(cursor.fetchone()[0], 0)

    def test_iterator_does_not_declare_a_server_side_cursor(self):
        Entry.objects.bulk_create(Entry(name=f"n{i}", message="m") for i in range(5))
        with connection.cursor() as cursor:
            for _ in Entry.objects.iterator(chunk_size=2):
                cursor.execute("SELECT count(*) FROM pg_cursors")
                self.assertEqual(cursor.fetchone()[0], 0)
