"""Kubernetes probes, answered before Host validation and the rest of the middleware."""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections
from django.http import JsonResponse

logger = logging.getLogger(__name__)

# One check in flight per process: behind pgbouncer a query can wait for a server for
# minutes (query_wait_timeout), so the probe waits at most READINESS_TIMEOUT and a
# pending check is shared rather than started again.
_lock = threading.Lock()
_executor = None
_pending = None


def _select_one():
    conn = connections.create_connection(DEFAULT_DB_ALIAS)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        conn.close()


def _database_check():
    global _executor, _pending
    with _lock:
        if _executor is None:
            _executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="readyz")
        if _pending is None or _pending.done():
            _pending = _executor.submit(_select_one)
        return _pending


def _unavailable(reason, detail):
    logger.warning("readiness check failed: %s: %s", reason, detail)
    return JsonResponse({"status": "unavailable", "reason": reason}, status=503)


def healthz(request):
    """Liveness: the process answers; no database access."""
    return JsonResponse({"status": "ok"})


def readyz(request):
    """Readiness: the database answers SELECT 1 within READINESS_TIMEOUT seconds."""
    try:
        _database_check().result(timeout=settings.READINESS_TIMEOUT)
    except FutureTimeout:
        return _unavailable("database: timeout", f"no answer in {settings.READINESS_TIMEOUT} s")
    except DatabaseError as exc:
        return _unavailable(f"database: {type(exc).__name__}", str(exc).strip())
    return JsonResponse({"status": "ok", "database": "ok"})


PROBES = {"/healthz": healthz, "/readyz": readyz}


class ProbeMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        probe = PROBES.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        if request.method not in ("GET", "HEAD"):
            response = JsonResponse({"status": "method not allowed"}, status=405)
            response["Allow"] = "GET, HEAD"
            return response
        return probe(request)
