from __future__ import annotations

from django_tasks import task

from portal.core.scoping import tenant_task


@task()
@tenant_task
def deliver(delivery_id: int) -> str:
    """Send one push message or instant e-mail (nothing if it was sent already)."""
    from portal.notifications.services import deliver_one

    return deliver_one(delivery_id)


@task()
@tenant_task
def send_digest(user_id: int) -> int:
    """Send one person's daily summary of what is due (nothing if nothing is)."""
    from portal.notifications.services import send_digest_for

    return send_digest_for(user_id)
