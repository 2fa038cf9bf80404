"""The "Take it all along" page of a child who leaves, the data export of a guardian, and the
archive downloads. Each view asks `portal.access.exports` first."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import exports as exports_access
from portal.exports import selectors
from portal.exports.files import archive_response
from portal.exports.models import Archive
from portal.exports.services import archive_request


@login_required
def departure(request, child_id: int):
    child, leaving = exports_access.departure_for_user(request.user, child_id)
    archive = selectors.latest_archive(request.user, kind=Archive.Kind.DEPARTURE, child=child)
    return render(
        request,
        "exports/departure.html",
        {"child": child, "departure": leaving, "archive": archive, "summary": selectors.departure_summary(child)},
    )


@login_required
@require_POST
def departure_build(request, child_id: int):
    child, _leaving = exports_access.departure_for_user(request.user, child_id)
    archive_request(user=request.user, organisation=child.organisation, kind=Archive.Kind.DEPARTURE, child=child)
    messages.success(request, _("The archive is being made. You can leave this page: it stays ready for you here."))
    return redirect("exports:departure", child_id=child.pk)


@login_required
def archive_status(request, archive_id: int):
    """The progress of an archive, as the part of the page that refreshes itself."""
    archive = exports_access.archive_for_user(request.user, archive_id)
    return render(request, "exports/_archive.html", {"archive": archive})


@login_required
def archive_download(request, archive_id: int):
    archive = exports_access.archive_for_user(request.user, archive_id)
    return archive_response(request, archive)


@login_required
def data_export(request):
    organisations = list(exports_access.guardian_organisations(request.user).order_by("name"))
    rows = [
        {"organisation": o, "archive": selectors.latest_archive(request.user, kind=Archive.Kind.DATA, organisation=o)}
        for o in organisations
    ]
    return render(request, "exports/data.html", {"rows": rows})


@login_required
@require_POST
def data_export_build(request, organisation_id: int):
    organisation = exports_access.organisation_for_data_export(request.user, organisation_id)
    archive_request(user=request.user, organisation=organisation, kind=Archive.Kind.DATA)
    messages.success(request, _("Your data export is being made. It stays ready for you on this page."))
    return redirect("exports:data")
