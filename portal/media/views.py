"""Pages and files of photos and videos. Every file goes out through `media_file`, after the
access policy; there is no public URL to any photo."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import children as children_access
from portal.access import media as media_access
from portal.access import organisations as organisations_access
from portal.access import roles as roles_access
from portal.core import bounds
from portal.media import selectors, services
from portal.media.files import rendition_response
from portal.media.models import MediaItem, MediaTag
from portal.media.processing import MediaRejected
from portal.notifications.models import Kind
from portal.notifications.services import mark_kind_read, mark_read_for_url

RECENT = 30  # items on the group's page


def _child_filter(request) -> int | None:
    child_id = bounds.parse_id(request.GET.get("child"))
    if child_id and roles_access.is_guardian_of(request.user, child_id):
        return child_id
    return None


def _cursor(request) -> int | None:
    return bounds.parse_id(request.GET.get("before"))


@login_required
def feed(request):
    child_id = _child_filter(request)
    items, next_cursor = selectors.feed(request.user, child_id=child_id, before=_cursor(request))
    children = children_access.guardian_children(request.user).order_by("first_name")
    if _cursor(request) is None:
        mark_kind_read(request.user, Kind.PHOTO)  # the newest photos are in view: the tab's badge goes
    return render(
        request,
        "media/feed.html",
        {
            "days": selectors.by_day(items),
            "items": items,
            "next_cursor": next_cursor,
            "children": children,
            "child_id": child_id,
        },
    )


@login_required
def detail(request, media_id: int):
    item = media_access.media_for_user(request.user, media_id)
    mark_read_for_url(request.user, request.path)
    child_id = _child_filter(request)
    newer, older = selectors.neighbours(request.user, item, child_id)
    tags = media_access.visible_tags(request.user, item, item.tags.select_related("child"))
    return render(
        request,
        "media/detail.html",
        {
            "item": item,
            "newer": newer,
            "older": older,
            "child_id": child_id,
            "tags": tags,
            "poster": item.rendition("poster"),
            "screen": item.rendition("screen"),
        },
    )


@login_required
def media_file(request, media_id: int, name: str):
    """One rendition of a photo or video, after the access check."""
    return rendition_response(request, media_access.media_for_user(request.user, media_id), name)


# ---------------------------------------------------------------- staff


def _add_urls(items: list[MediaItem]) -> None:
    """Each item's links on the group's page (its page, thumbnail and tag form), made from one
    reversed pattern each: resolving three URLs per row was a good part of the page's time."""
    marker = "2147483647"
    patterns = {
        "detail_url": reverse("media:detail", args=[int(marker)]),
        "thumb_url": reverse("media:file", args=[int(marker), "thumb"]),
        "edit_url": reverse("media:edit", args=[int(marker)]),
    }
    for item in items:
        for attribute, pattern in patterns.items():
            setattr(item, attribute, pattern.replace(marker, str(item.pk), 1))


@login_required
def group_media(request, group_id: int):
    """Upload and tag: the staff page of a group's photos and videos. The recent items show who
    is on them as a list; the form to change that is on each item's own page (`edit`), so the
    page costs the same few queries and little rendering however many children and photos."""
    group = organisations_access.staff_group_for_user(request.user, group_id)
    recent: list[MediaItem] = list(
        MediaItem.objects.filter(group=group)
        .only("id", "group_id", "state", "error", "caption", "uploaded_at", "kind")
        .prefetch_related(
            Prefetch("tags", queryset=MediaTag.objects.select_related("child").only("media_id", "child__first_name"))
        )
        .order_by("-id")[:RECENT]
    )
    _add_urls(recent)
    children = list(services.taggable_children(group))
    return render(
        request,
        "media/group.html",
        {
            "group": group,
            "recent": recent,
            "children": children,
            "upload_key": uuid.uuid4().hex,
            "max_photo_mb": settings.MEDIA_MAX_PHOTO_BYTES // (1024 * 1024),
            "max_video_mb": settings.MEDIA_MAX_VIDEO_BYTES // (1024 * 1024),
        },
    )


@login_required
def edit(request, media_id: int):
    """Who is on a photo or video (and removing it), for the group's staff. With htmx (the
    "Edit tags" link of the group's page) only the form comes back, into the item's row."""
    item = media_access.media_for_staff(request.user, media_id)
    tagged = set(item.tags.values_list("child_id", flat=True))
    children = list(services.taggable_children(item.group))
    for child in children:
        child.tagged = child.pk in tagged
    fragment = bool(request.htmx)
    context = {"item": item, "children": children, "fragment": fragment, "prefix": f"edit-{item.pk}-"}
    response = render(request, "media/_edit.html" if fragment else "media/edit.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _child_ids(raws: list[str]) -> list[int] | None:
    """The child ids of a form's checkboxes, or None when one of them is not an id at all (a
    tampered form: refused, rather than silently tagging fewer children)."""
    raws = [raw for raw in raws if raw.strip()]
    ids = bounds.parse_ids(raws)
    return ids if len(ids) == len(raws) else None


def _file_fields(post, index: int, count: int) -> tuple[list[str], str]:
    """The raw child ids and caption of the `index`th of `count` files: its own fields
    (`file-<index>-children`, `file-<index>-caption`, sent by a form that tags each file) when
    the form says so with `per_file`, otherwise the shared `children` and `caption` (the form
    without JavaScript: one set of tags for the whole batch). A form that sends one file per
    request simply sends that file's tags as `children`."""
    if post.get("per_file") and count > 1:
        return post.getlist(f"file-{index}-children"), post.get(f"file-{index}-caption", "")
    return post.getlist("children"), post.get("caption", "")


@login_required
@require_POST
def upload(request, group_id: int):
    """One or more files. Each file is stored whole or not at all, with its own tags; with the
    same upload key the device can send a file again after a broken connection without making
    a second copy."""
    group = organisations_access.staff_group_for_user(request.user, group_id)
    files = request.FILES.getlist("files")
    wants_json = request.headers.get("Accept", "").startswith("application/json")
    base_key = request.POST.get("upload_key", "").strip()[:60] or uuid.uuid4().hex
    if not files:
        message = _("Choose one or more photos or videos.")
        if wants_json:
            return JsonResponse({"detail": message}, status=400)
        messages.error(request, message)
        return redirect("media:group", group_id=group.pk)
    results, errors = [], []
    for index, upload_file in enumerate(files[: bounds.LIST_MAX_ITEMS]):
        key = base_key if len(files) == 1 else f"{base_key}-{index}"
        raw_children, caption = _file_fields(request.POST, index, len(files))
        child_ids = _child_ids(raw_children)
        try:
            if child_ids is None:
                raise ValidationError(_("Only children of this group can be tagged."))
            item, created = services.media_receive(
                user=request.user, group=group, upload=upload_file, upload_key=key, caption=caption, child_ids=child_ids
            )
            results.append({"id": item.pk, "created": created, "state": item.state})
        except (MediaRejected, ValidationError) as exc:
            reason = " ".join(getattr(exc, "messages", [str(exc)]))
            errors.append(reason if upload_file.name in reason else f"{upload_file.name}: {reason}")
    if wants_json:
        return JsonResponse({"items": results, "errors": errors}, status=400 if errors and not results else 200)
    for error in errors:
        messages.error(request, error)
    if results:
        messages.success(
            request,
            _("%(count)d received; they appear for the parents once processed.") % {"count": len(results)},
        )
    return redirect("media:group", group_id=group.pk)


@login_required
@require_POST
def set_tags(request, media_id: int):
    item = media_access.media_for_staff(request.user, media_id)
    child_ids = bounds.parse_ids(request.POST.getlist("children"))
    try:
        services.media_set_tags(user=request.user, item=item, child_ids=child_ids)
        messages.success(request, _("The tags are saved."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("media:group", group_id=item.group_id)


@login_required
@require_POST
def delete(request, media_id: int):
    item = media_access.media_for_staff(request.user, media_id)
    group_id = item.group_id
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Tick the box to confirm the removal."))
    else:
        services.media_delete(user=request.user, item=item)
        messages.success(request, _("Removed."))
    return redirect("media:group", group_id=group_id)
