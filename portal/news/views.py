"""Pages of the news: the readers' list and item, its files, and the publishers' pages.
Every page asks `portal.access.news` first."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from portal.access import news as news_access
from portal.core import bounds, clock
from portal.news import selectors, services
from portal.news.files import attachment_response
from portal.news.forms import NewsForm
from portal.news.services import MAX_ATTACHMENTS, max_file_bytes
from portal.notifications.services import mark_read_for_url

PER_PAGE = 10


@login_required
def news_list(request):
    page = Paginator(selectors.reader_items(request.user), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "news/list.html", {"page": page, "is_publisher": news_access.is_publisher(request.user)})


@login_required
def detail(request, item_id: int):
    item = news_access.news_item_for_reader(request.user, item_id)
    mark_read_for_url(request.user, request.path)
    attachments = list(item.attachments.all())
    may_manage = news_access.may_manage(request.user, item)
    return render(
        request,
        "news/detail.html",
        {
            "item": item,
            "images": [a for a in attachments if a.kind == "image"],
            "files": [a for a in attachments if a.kind == "file"],
            "may_manage": may_manage,
            "scheduled": item.publish_at > clock.now(),
        },
    )


@login_required
def attachment(request, attachment_id: int, name: str):
    """An image (or its thumbnail with ?size=thumb) or a PDF, after the policy said yes."""
    item_file = news_access.news_attachment_for_user(request.user, attachment_id)
    return attachment_response(request, item_file, request.GET.get("size", ""))


# ---------------------------------------------------------------- publishers


@login_required
def manage(request):
    news_access.news_require_publisher(request.user)
    page = Paginator(selectors.manage_items(request.user), 20).get_page(request.GET.get("page"))
    return render(request, "news/manage.html", {"page": page, "now": clock.now()})


def _form_page(request, form, *, item=None, form_key: str = "", errors=(), status: int = 200):
    return render(
        request,
        "news/form.html",
        {
            "form": form,
            "item": item,
            "attachments": list(item.attachments.all()) if item else [],
            "form_key": form_key,
            "file_errors": list(errors),
            "max_files": MAX_ATTACHMENTS,
            "max_pdf_mb": max_file_bytes() // (1024 * 1024),
            "max_photo_mb": settings.MEDIA_MAX_PHOTO_BYTES // (1024 * 1024),
        },
        status=status,
    )


def _save(request, form, *, item=None):
    """Validate, ask the policy for the audience, then call the service; returns the item or
    the errors for the files."""
    audience = news_access.news_audience_for_publisher(request.user, form.cleaned_data["audience"])
    data = form.cleaned_data
    common = {
        "audience": audience,
        "kind": data["kind"],
        "title": data["title"],
        "body": data["body"],
        "publish_at": data.get("publish_at"),
        "uploads": request.FILES.getlist("files"),
    }
    if item is None:
        return services.item_create(user=request.user, form_key=request.POST.get("form_key", ""), **common)
    remove = bounds.parse_ids(request.POST.getlist("remove"))
    return services.item_update(item=item, user=request.user, remove_ids=remove, **common)


@login_required
def create(request):
    news_access.news_require_publisher(request.user)
    audiences = news_access.news_audiences(request.user)
    if request.method == "POST":
        form = NewsForm(request.POST, audiences=audiences)
        form_key = request.POST.get("form_key", "")[:64]
        if form.is_valid():
            try:
                item = _save(request, form)
            except ValidationError as exc:
                return _form_page(request, form, form_key=form_key, errors=exc.messages, status=400)
            messages.success(
                request,
                _("Published.") if item.publish_at <= clock.now() else _("Saved; it appears at the set time."),
            )
            return redirect("news:detail", item_id=item.pk)
        return _form_page(request, form, form_key=form_key, status=400)
    form = NewsForm(audiences=audiences)
    return _form_page(request, form, form_key=uuid.uuid4().hex)


@login_required
def edit(request, item_id: int):
    item = news_access.news_item_for_publisher(request.user, item_id)
    audiences = news_access.news_audiences(request.user)
    published = item.publish_at <= clock.now()
    if request.method == "POST":
        form = NewsForm(request.POST, audiences=audiences, published=published)
        if form.is_valid():
            try:
                _save(request, form, item=item)
            except ValidationError as exc:
                return _form_page(request, form, item=item, errors=exc.messages, status=400)
            messages.success(request, _("Saved."))
            return redirect("news:detail", item_id=item.pk)
        return _form_page(request, form, item=item, status=400)
    local = clock.local(item.publish_at)
    initial = {
        "audience": item.audience,
        "kind": item.kind,
        "title": item.title,
        "body": item.body,
        "when": "later",
        "publish_date": local.date(),
        "publish_time": local.time().replace(second=0, microsecond=0),
    }
    return _form_page(request, NewsForm(initial=initial, audiences=audiences, published=published), item=item)


@login_required
def delete(request, item_id: int):
    """GET asks to confirm; POST removes the item and its files."""
    item = news_access.news_item_for_publisher(request.user, item_id)
    if request.method == "POST":
        services.item_delete(item=item, user=request.user)
        messages.success(request, _("Removed: %(title)s") % {"title": item.title})
        return redirect("news:manage")
    return render(request, "news/delete.html", {"item": item, "files": item.attachments.count()})
