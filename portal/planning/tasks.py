from __future__ import annotations

from django.template.loader import render_to_string
from django.urls import reverse
from django_tasks import task

from portal.core.scoping import tenant_task


@task()
@tenant_task
def notify_decision(request_id: int) -> None:
    """Tell the child's guardians, each in their own language, that the planner decided."""
    from portal.notifications.models import Kind
    from portal.notifications.services import Text, notify
    from portal.planning.models import PlanningRequest

    request = PlanningRequest.objects.select_related("child").filter(pk=request_id).first()
    if request is None or request.state not in ("approved", "rejected"):
        return
    context = {"request": request, "child": request.child}

    def render(user) -> Text:
        return Text(
            title=render_to_string("planning/mail/decision_subject.txt", context).strip(),
            body=render_to_string("planning/mail/decision.txt", context).strip(),
            url=reverse("planning:calendar", args=[request.child_id]),
        )

    guardians = [g.user for g in request.child.guardians.select_related("user")]
    notify(users=guardians, kind=Kind.DECISION, key=f"decision:{request.pk}", render=render)
