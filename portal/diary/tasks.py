from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from portal.core.recovery import on_give_up
from portal.core.scoping import tenant_task


@task()
@tenant_task
def notify_entry(entry_id: int) -> None:
    """Today's diary entry is there: tell the child's guardians, each in their language."""
    from portal.diary.models import DiaryEntry
    from portal.notifications.models import Kind
    from portal.notifications.services import Text, notify

    entry = DiaryEntry.objects.select_related("child").filter(pk=entry_id, state="published").first()
    if entry is None:
        return
    context = {"entry": entry, "child": entry.child}

    def render(user) -> Text:
        return Text(
            title=render_to_string("diary/mail/entry_subject.txt", context).strip(),
            body=render_to_string("diary/mail/entry.txt", context).strip(),
            url=reverse("diary:child", args=[entry.child_id]),
        )

    guardians = [g.user for g in entry.child.guardians.select_related("user")]
    notify(users=guardians, kind=Kind.DIARY, key=f"diary:{entry.pk}", render=render)


@task()
@tenant_task
def make_pdf(export_id: int) -> None:
    from portal.diary.services import export_make

    export_make(export_id)


def _exports_waiting(before):
    from portal.diary.services import export_waiting

    return export_waiting(before)


@on_give_up(make_pdf, waiting=_exports_waiting)
def _export_given_up(export_id: int, reason: str) -> None:
    from portal.diary.services import export_give_up

    export_give_up(export_id, reason)
