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
    # The person's own organisations: the ones that added them (as guardian, or to a role).
    organisations = sorted(set(user.organisation_profiles.values_list("organisation__name", flat=True)))
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


def _send(user, template: str, context: dict) -> None:
    with translation.override(user.language):
        context = {"user": user, **context}
        subject = render_to_string(f"accounts/mail/{template}_subject.txt", context).strip()
        text = render_to_string(f"accounts/mail/{template}.txt", context)
        html = render_to_string(f"accounts/mail/{template}.html", context)
    message = EmailMultiAlternatives(subject, text, to=[user.email])
    message.attach_alternative(html, "text/html")
    message.send()


@task()
@tenant_task
def deliver_guardian_notice(organisation_id: int, user_id: int, child_id: int) -> None:
    """Tell a person who has an account that an organisation made them a guardian of a child:
    they log in as they always do. Only the person reads it."""
    from portal.accounts.models import User
    from portal.children.models import Guardian

    guardian = (
        Guardian.objects.select_related("child__organisation")
        .filter(user_id=user_id, child_id=child_id, child__organisation_id=organisation_id, user__is_active=True)
        .first()
    )
    if guardian is None:
        return  # removed again meanwhile
    user = User.objects.get(pk=user_id)
    _send(
        user,
        "guardian_notice",
        {
            "organisation": guardian.child.organisation.name,
            "child": guardian.child.first_name,
            "link": settings.SITE_URL + reverse("accounts:login"),
            "reset_link": settings.SITE_URL + reverse("accounts:password_reset"),
        },
    )


@task()
@tenant_task
def deliver_role_invitation(role_invitation_id: int) -> None:
    """Ask a person who has an account to accept a staff role, logged in."""
    from portal.accounts.identity import names_in
    from portal.accounts.models import RoleInvitation

    invitation = (
        RoleInvitation.objects.select_related("user", "organisation", "group__location", "location")
        .filter(pk=role_invitation_id, user__is_active=True)
        .first()
    )
    if invitation is None or not invitation.is_open:
        return
    user = invitation.user
    with translation.override(user.language):
        role = str(invitation.get_role_display())
    _send(
        user,
        "role_invitation",
        {
            "organisation": invitation.organisation.name,
            "role": role,
            "where": invitation.where,
            "is_admin": invitation.role == RoleInvitation.Role.ADMIN,
            "invited_by": names_in(invitation.organisation, [invitation.invited_by_id]).get(
                invitation.invited_by_id or 0, ""
            ),
            "link": settings.SITE_URL + reverse("accounts:roles"),
        },
    )
