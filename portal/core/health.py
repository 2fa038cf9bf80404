"""`GET /healthz` for the load balancer and monitoring: can this process reach the database
and the private file storage, and how far behind is the task queue?

200 when the database and the storage answer, 503 when either does not (the load balancer then
sends no visitors to this process). The queue's lag (the age of the oldest task that is due and
not yet taken) does not take a web process out of rotation, but above `HEALTHZ_MAX_QUEUE_LAG_SECONDS`
the answer says "degraded", for the monitoring. No session, no user, nothing personal.
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from portal.core import clock
from portal.media.storage import private_storage


def _database() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 (any failure is "not healthy")
        return False


def _storage() -> bool:
    try:
        private_storage().exists("healthz-probe")  # a HEAD request on a bucket, a stat locally
        return True
    except Exception:  # noqa: BLE001
        return False


def _queue_lag_seconds() -> float | None:
    from django_tasks_db.models import DBTaskResult

    try:
        oldest = DBTaskResult.objects.ready().order_by("enqueued_at").values_list("enqueued_at", flat=True).first()
    except Exception:  # noqa: BLE001 (reported as the database's failure already)
        return None
    return max((clock.now() - oldest).total_seconds(), 0.0) if oldest else 0.0


@never_cache
@require_GET
def healthz(request):
    database = _database()
    storage = _storage()
    lag = _queue_lag_seconds() if database else None
    healthy = database and storage
    behind = lag is not None and lag > settings.HEALTHZ_MAX_QUEUE_LAG_SECONDS
    body = {
        "status": "ok" if healthy and not behind else "degraded" if healthy else "failing",
        "database": "ok" if database else "failing",
        "storage": "ok" if storage else "failing",
        "queue_lag_seconds": None if lag is None else round(lag, 1),
    }
    return JsonResponse(body, status=200 if healthy else 503)
