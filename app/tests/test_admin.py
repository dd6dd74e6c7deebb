"""Django admin, with its assets collected and served by WhiteNoise under /assets/."""

import re

from django.contrib.auth import get_user_model
from django.test import TestCase

from guestbook.models import Entry


class AdminTests(TestCase):
    def test_login_page_renders_with_hashed_assets_under_assets(self):
        response = self.client.get("/admin/login/")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="username"')
        css = re.search(r'href="(/assets/admin/css/base\.[0-9a-f]{12}\.css)"', response.content.decode())
        self.assertIsNotNone(css, "admin CSS is not a hashed /assets/ URL")

        asset = self.client.get(css.group(1))
        self.assertEqual(asset.status_code, 200)
        self.assertTrue(asset["Content-Type"].startswith("text/css"))
        self.assertIn("immutable", asset["Cache-Control"])
        self.assertTrue(b"".join(asset.streaming_content))

    def test_app_does_not_serve_the_platform_static_route(self):
        self.assertEqual(self.client.get("/static/site.css").status_code, 404)

    def test_admin_requires_login(self):
        self.assertRedirects(self.client.get("/admin/"), "/admin/login/?next=/admin/")

    def test_superuser_logs_in_and_sees_entries(self):
        get_user_model().objects.create_superuser("admin", "admin@example.org", "a-long-test-password")
        Entry.objects.create(name="Grace", message="seen in the admin")
        self.assertTrue(self.client.login(username="admin", password="a-long-test-password"))
        response = self.client.get("/admin/guestbook/entry/")
        self.assertContains(response, "Grace")
