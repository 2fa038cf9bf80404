from django_tasks import task

from portal.core.scoping import tenant_task


@task()
@tenant_task
def announce_departure(child_id: int) -> None:
    """A child's last placement has an end date: tell the guardians (once per last day)."""
    from portal.privacy.services import departure_notify

    departure_notify(child_id)


@task()
@tenant_task
def mail_erasure_done(email: str, language: str, child_first_name: str) -> None:
    """The guardian who asked for the erasure hears that it was done (their login may be gone)."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.utils import translation

    with translation.override(language):
        context = {"child": child_first_name}
        subject = render_to_string("privacy/mail/erasure_done_subject.txt", context).strip()
        body = render_to_string("privacy/mail/erasure_done.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email])
