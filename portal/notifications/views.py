"""The notification list and the settings page. Each person sees and changes only their own."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import notifications as notifications_access
from portal.notifications import services
from portal.notifications.models import EmailChoice, Kind, QuietHours


@login_required
def notification_list(request):
    rows = notifications_access.visible_notifications(request.user)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(request, "notifications/list.html", {"page": page})


@login_required
def notification_open(request, notification_id: int):
    """Mark it read and go where it points (a path within the portal only)."""
    notification = notifications_access.notification_for_user(request.user, notification_id)
    services.mark_read(user=request.user, ids=[notification.pk])
    target = notification.url
    if not url_has_allowed_host_and_scheme(target, allowed_hosts=None) or not target.startswith("/"):
        target = "/"
    return redirect(target)


@login_required
@require_POST
def read_all(request):
    count = services.mark_read(user=request.user)
    if count:
        messages.success(request, _("All notifications are marked as read."))
    return redirect("notifications:list")


def _time(value: str) -> dt.time | None:
    value = value.strip()
    if not value:
        return None
    return dt.time.fromisoformat(value)


@login_required
def settings_page(request):
    user = request.user
    preferences = services.preferences_of(user)
    quiet = services.quiet_hours_of(user)
    errors: list[str] = []
    if request.method == "POST":
        choices = {}
        for kind in Kind.values:
            email = request.POST.get(f"{kind}-email", "")
            if email not in EmailChoice.values:
                errors.append(_("Choose how e-mail about “%(kind)s” reaches you.") % {"kind": Kind(kind).label})
            choices[kind] = (request.POST.get(f"{kind}-push") == "on", email)
        try:
            start, end = _time(request.POST.get("quiet_start", "")), _time(request.POST.get("quiet_end", ""))
            digest = _time(request.POST.get("digest_time", "")) or services.DEFAULT_DIGEST_TIME
        except ValueError:
            errors.append(_("Give times as hours and minutes, for example 21:00."))
            start = end = None
            digest = quiet.digest_time
        else:
            problem = services.quiet_hours_problem(start, end)
            if problem:
                errors.append(problem)
        if not errors:
            services.settings_save(user=user, choices=choices, start=start, end=end, digest=digest)
            messages.success(request, _("Your notification settings are saved."))
            return redirect("notifications:settings")
        preferences = choices
        quiet = QuietHours(user=user, start=start, end=end, digest_time=digest)
    rows = [
        {"kind": kind, "label": Kind(kind).label, "push": preferences[kind][0], "email": preferences[kind][1]}
        for kind in Kind.values
    ]
    return render(
        request,
        "notifications/settings.html",
        {"rows": rows, "quiet": quiet, "email_choices": EmailChoice.choices, "errors": errors},
    )
