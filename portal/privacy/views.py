"""The family's privacy pages: per child, who downloaded the child's files or opened the
child's record, and asking the organisation to erase the child's data."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.access import children as children_access
from portal.access import privacy as privacy_access
from portal.privacy import selectors
from portal.privacy.services import erasure_request


@login_required
def overview(request):
    children = children_access.guardian_children(request.user).order_by("first_name", "last_name")
    return render(request, "privacy/overview.html", {"children": children})


@login_required
def child_privacy(request, child_id: int):
    child = privacy_access.privacy_child_for_guardian(request.user, child_id)
    error = ""
    if request.method == "POST":
        if request.POST.get("confirm") != "yes":
            error = _("Tick the box to confirm that you ask for the erasure.")
        else:
            erasure_request(user=request.user, child=child, note=request.POST.get("note", ""))
            messages.success(
                request,
                _("Your request is sent. The organisation decides on it and you will hear from them."),
            )
            return redirect("privacy:child", child_id=child.pk)
    page = Paginator(selectors.access_log(child), 25).get_page(request.GET.get("page"))
    return render(
        request,
        "privacy/child.html",
        {
            "child": child,
            "page": page,
            "rows": selectors.access_log_rows(request.user, child, page.object_list),
            "requests": selectors.erasure_requests_of_child(child),
            "error": error,
        },
        status=400 if error else 200,
    )
