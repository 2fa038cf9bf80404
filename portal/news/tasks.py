from __future__ import annotations

from django_tasks import task

from portal.core.scoping import tenant_task


@task()
@tenant_task
def notify_item(item_id: int) -> int | None:
    """Tell the families a news item reaches (once; nothing if it is not yet time, or told)."""
    from portal.news.services import item_notify

    return item_notify(item_id)
