from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django_tasks import task


@task()
def notify_decision(request_id: int) -> None:
    """Tell the child's guardians, each in their own language, that the planner decided."""
    from portal.planning.models import PlanningRequest

    request = PlanningRequest.objects.select_related("child").filter(pk=request_id).first()
    if request is None:
        return
    link = settings.SITE_URL + reverse("planning:calendar", args=[request.child_id])
    for guardian in request.child.guardians.select_related("user").filter(user__is_active=True):
        user = guardian.user
        with translation.override(user.language):
            context = {"request": request, "child": request.child, "user": user, "link": link}
            subject = render_to_string("planning/mail/decision_subject.txt", context).strip()
            body = render_to_string("planning/mail/decision.txt", context)
        send_mail(subject, body, None, [user.email])
