"""Background tasks of accounts. Tasks take ids and are queued after the transaction commits."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task

from portal.core.scoping import tenant_task


@task()
@tenant_task
def deliver_invitation(invitation_id: int) -> None:
    from portal.accounts.services import invitation_issue_token, invitation_mark_sent

    issued = invitation_issue_token(invitation_id)
    if issued is None or issued[0].user.has_usable_password():
        return  # used, withdrawn, or the guardian set a password some other way meanwhile
    invitation, raw = issued
    user = invitation.user
    organisations = sorted(
        {g.child.organisation.name for g in user.guardianships.select_related("child__organisation")}
    )
    with translation.override(user.language):
        context = {
            "user": user,
            "link": settings.SITE_URL + reverse("accounts:invitation", args=[raw]),
            "valid_days": settings.INVITATION_VALID_DAYS,
            "expires_at": invitation.expires_at,
            "organisations": ", ".join(organisations),
        }
        subject = render_to_string("accounts/mail/invitation_subject.txt", context).strip()
        text = render_to_string("accounts/mail/invitation.txt", context)
        html = render_to_string("accounts/mail/invitation.html", context)
    message = EmailMultiAlternatives(subject, text, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.send()  # raises when the mail server refuses: the task fails and the daily job retries
    invitation_mark_sent(invitation)
