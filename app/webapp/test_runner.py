"""Test runner: collects static files into a temporary STATIC_ROOT first, as the image build does."""

import tempfile

from django.core.management import call_command
from django.test.runner import DiscoverRunner
from django.test.utils import override_settings


class TestRunner(DiscoverRunner):
    def setup_test_environment(self, **kwargs):
        super().setup_test_environment(**kwargs)
        self._static_root = tempfile.TemporaryDirectory(prefix="django-static-")
        self._static_override = override_settings(STATIC_ROOT=self._static_root.name)
        self._static_override.enable()
        call_command("collectstatic", interactive=False, verbosity=0)

    def teardown_test_environment(self, **kwargs):
        self._static_override.disable()
        self._static_root.cleanup()
        super().teardown_test_environment(**kwargs)

    def suite_result(self, suite, result, **kwargs):
        failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
        skipped = len(result.skipped)
        passed = result.testsRun - failed - skipped
        line = f"django: {passed} passed, {failed} failed"
        print(line + (f", {skipped} skipped" if skipped else ""), flush=True)
        return super().suite_result(suite, result, **kwargs)
