"""Helpers: run Django in a child process with a given environment, as a pod would start."""

import json
import os
import subprocess
import sys
from pathlib import Path

APP_DIR = Path(__file__).resolve().parent.parent
CONTRACT_VARS = (
    "DEBUG",
    "SECRET_KEY",
    "DATABASE_URL",
    "ALLOWED_HOSTS",
    "CSRF_TRUSTED_ORIGINS",
    "CONN_MAX_AGE",
    "DATABASE_CONNECT_TIMEOUT",
    "READINESS_TIMEOUT",
    "LOG_LEVEL",
)
SAMPLE_URL = "postgres://app:pw@db.example.internal:25061/app?sslmode=require"


def child_env(**overrides):
    env = {k: v for k, v in os.environ.items() if k not in CONTRACT_VARS}
    env.update(PYTHONDONTWRITEBYTECODE="1", DJANGO_SETTINGS_MODULE="webapp.settings")
    env.update({k: v for k, v in overrides.items() if v is not None})
    return env


def run_python(code, timeout=60, **env):
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=APP_DIR,
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def run_manage(*args, timeout=60, **env):
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=APP_DIR,
        env=child_env(**env),
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def last_json_line(proc):
    """The child prints its result as JSON on its last stdout line."""
    lines = [line for line in proc.stdout.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise AssertionError(f"child failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}")
    return json.loads(lines[-1])
