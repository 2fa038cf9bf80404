"""Pages of the diary. Only the child's guardians and the staff of the child's group see it;
`portal.access.diary_access.diary_child_for_user` decides."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.access import diary as diary_access
from portal.access import organisations as organisations_access
from portal.access import roles as roles_access
from portal.accounts import identity
from portal.core import bounds, clock
from portal.diary import selectors, services
from portal.diary.files import export_response
from portal.diary.models import DiaryEntry, DiaryExport, DiaryReply, DiaryTemplate
from portal.media.files import rendition_response
from portal.notifications.services import mark_read_for_url
from portal.planning.selectors import attendance


def _rows(request, prefix: str, fields: tuple[str, ...], count: int) -> list[dict]:
    rows = []
    for index in range(count):
        row = {f: request.POST.get(f"{prefix}-{index}-{f}", "").strip() for f in fields}
        if any(row.values()):
            rows.append(row)
    return rows


def _care_from_post(request) -> dict:
    feeds = _rows(request, "feed", ("time", "what", "ml"), 4)
    for feed in feeds:
        ml = bounds.parse_id(feed["ml"]) if feed["ml"] else None
        if feed["ml"] and ml is None:
            raise ValidationError(_("A bottle holds between 1 and 500 ml."))
        feed["ml"] = ml
    return {
        "sleeps": [{"from": r["from"], "to": r["to"]} for r in _rows(request, "sleep", ("from", "to"), 3)],
        "feeds": feeds,
        "nappies": _rows(request, "nappy", ("time", "kind"), 4),
        "mood": request.POST.get("mood", "") if request.POST.get("mood", "") in DiaryEntry.Mood.values else "",
    }


def _photo_from_post(request, child):
    upload = request.FILES.get("photo")
    if not upload:
        return None
    from portal.media.services import media_receive

    placement = next(
        (p for p in child.placements.select_related("group__location") if p.is_active_on(clock.today())), None
    )
    if placement is None:
        raise ValidationError(_("A photo can be added while the child has a placement."))
    item, _created = media_receive(
        user=request.user,
        group=placement.group,
        upload=upload,
        upload_key=request.POST.get("upload_key", "")[:60] or f"diary-{dt.datetime.now().timestamp()}",
        caption="",
        child_ids=[],
    )
    return item


@login_required
def child_diary(request, child_id: int):
    child = diary_access.diary_child_for_user(request.user, child_id)
    mark_read_for_url(request.user, request.path)
    staff = diary_access.is_diary_staff(request.user, child)
    entries = identity.with_author_names(
        diary_access.readable_entries(request.user, child).select_related("author", "media"),
        child.organisation_id,
        replies_model=DiaryReply,
    )
    page = Paginator(entries.order_by("-date", "-id"), 20).get_page(request.GET.get("page"))
    days = selectors.timeline(page.object_list)
    exports = DiaryExport.objects.filter(child=child, requested_by=request.user)[:5]
    return render(
        request,
        "diary/child.html",
        {
            "child": child,
            "page": page,
            "days": days,
            "staff": staff,
            "today": clock.today(),
            "exports": exports,
            "moods": DiaryEntry.Mood.choices,
            "is_guardian": roles_access.is_guardian_of(request.user, child),
        },
    )


@login_required
def write(request, child_id: int, entry_id: int | None = None):
    """Staff write (or edit) an entry: text, care notes as quick inputs, a photo or video."""
    child = diary_access.diary_child_for_user(request.user, child_id)
    is_staff = diary_access.is_diary_staff(request.user, child)
    entry = None
    if entry_id is not None:
        entry = diary_access.entry_for_editor(request.user, child, entry_id)
    is_guardian = roles_access.is_guardian_of(request.user, child)
    if not is_staff and entry is None and request.method == "GET" and not is_guardian:
        return redirect("diary:child", child_id=child.pk)
    templates = DiaryTemplate.objects.filter(group__placements__child=child).distinct()
    error = ""
    if request.method == "POST":
        try:
            raw_day = request.POST.get("date", "") or clock.today().isoformat()
            day = dt.date.fromisoformat(raw_day)
            care = _care_from_post(request) if is_staff else {}
            media = _photo_from_post(request, child)
            services.entry_save(
                author=request.user,
                child=child,
                day=day,
                text=request.POST.get("text", ""),
                publish=request.POST.get("action") == "publish" or not is_staff,
                by_guardian=not is_staff,
                media=media or (entry.media if entry else None),
                entry=entry,
                **care,
            )
        except ValueError:
            error = _("Give the day as a date.")
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            messages.success(request, _("Saved in the diary."))
            next_group = bounds.parse_id(request.POST.get("next_for_group"))
            if is_staff and next_group:
                return redirect("diary:group", group_id=next_group)
            return redirect("diary:child", child_id=child.pk)
    template_id = bounds.parse_id(request.GET.get("template"))
    chosen = templates.filter(pk=template_id).first() if template_id else None
    return render(
        request,
        "diary/write.html",
        {
            "child": child,
            "entry": entry,
            "templates": templates,
            "template_text": chosen.text if chosen else "",
            "text_max_length": bounds.TEXT_MAX_LENGTH,
            "moods": DiaryEntry.Mood.choices,
            "today": clock.today(),
            "error": error,
            "staff": is_staff,
            "rows3": range(3),
            "rows4": range(4),
            "group_id": request.GET.get("group", ""),
        },
        status=400 if error else 200,
    )


@login_required
@require_POST
def reply(request, entry_id: int):
    entry = diary_access.entry_for_reader(request.user, entry_id)
    try:
        services.reply_add(author=request.user, entry=entry, text=request.POST.get("text", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("diary:child", child_id=entry.child_id)


@login_required
def entry_photo(request, entry_id: int, name: str):
    """The photo or video of an entry, for whoever may read the diary."""
    entry = diary_access.entry_for_reader(request.user, entry_id)
    if entry.media is None or entry.media.state != "ready":
        raise Http404
    return rendition_response(request, entry.media, name)


@login_required
def group_today(request, group_id: int):
    """The end of the day: the group's children expected today, and whose entry is still missing."""
    group = organisations_access.staff_group_for_user(request.user, group_id)
    today = clock.today()
    present = attendance([group], today, still_placed_on=today)[group.pk]
    written = {
        e.child_id: e for e in DiaryEntry.objects.filter(group=group, date=today, by_guardian=False).order_by("id")
    }
    rows: list[dict[str, Any]] = [{"child": p.child, "entry": written.get(p.child.pk)} for p in present]
    error, status = "", 200
    if request.method == "POST":  # one note for several children: only today's children of this group
        chosen = {int(x) for x in request.POST.getlist("children") if x.isdigit()}
        children = [r["child"] for r in rows if r["child"].pk in chosen]
        try:
            services.note_add_for_children(author=request.user, children=children, text=request.POST.get("note", ""))
        except ValidationError as exc:
            error, status = " ".join(exc.messages), 400
        else:
            messages.success(
                request,
                ngettext(
                    "The note is on the page of %(count)d child.",
                    "The note is on the pages of %(count)d children.",
                    len(children),
                )
                % {"count": len(children)},
            )
            return redirect("diary:group", group_id=group.pk)
    missing = sum(1 for r in rows if r["entry"] is None or r["entry"].state != DiaryEntry.State.PUBLISHED)
    return render(
        request,
        "diary/group.html",
        {
            "group": group,
            "rows": rows,
            "missing": missing,
            "today": today,
            "error": error,
            "note": request.POST.get("note", ""),
        },
        status=status,
    )


@login_required
@require_POST
def export_request(request, child_id: int):
    child = diary_access.diary_child_for_user(request.user, child_id)

    def day(name):
        raw = request.POST.get(name, "")
        return dt.date.fromisoformat(raw) if raw else None

    try:
        services.export_request(user=request.user, child=child, first_day=day("first"), last_day=day("last"))
    except ValueError:
        messages.error(request, _("Give the days as dates."))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The PDF is being made; it appears below in a moment."))
    return redirect("diary:child", child_id=child.pk)


@login_required
def export_download(request, export_id: int):
    return export_response(request, diary_access.export_for_user(request.user, export_id))
