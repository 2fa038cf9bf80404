from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task


@task()
def notify_entry(entry_id: int) -> None:
    """Today's diary entry is there: tell the child's guardians, each in their language."""
    from portal.diary.models import DiaryEntry

    entry = DiaryEntry.objects.select_related("child").filter(pk=entry_id, state="published").first()
    if entry is None:
        return
    link = settings.SITE_URL + reverse("diary:child", args=[entry.child_id])
    for guardian in entry.child.guardians.select_related("user").filter(user__is_active=True):
        user = guardian.user
        with translation.override(user.language):
            context = {"entry": entry, "child": entry.child, "user": user, "link": link}
            subject = render_to_string("diary/mail/entry_subject.txt", context).strip()
            body = render_to_string("diary/mail/entry.txt", context)
        send_mail(subject, body, None, [user.email])


@task()
def make_pdf(export_id: int) -> None:
    from portal.diary.services import export_make

    export_make(export_id)
