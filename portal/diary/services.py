"""Writes of the diary: staff entries (draft, then published), guardians' entries and replies,
and the PDF of the whole diary."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.children.models import Child
from portal.core import bounds, clock
from portal.core.audit import log_action
from portal.core.dates import time_short
from portal.core.tasks import enqueue_after_commit
from portal.diary.models import DiaryEntry, DiaryExport, DiaryReply

CARE_FIELDS = ("sleeps", "feeds", "nappies", "mood")
REPLY_MAX_LENGTH = 5000


def _validate_care(sleeps, feeds, nappies) -> None:
    def time_ok(value) -> bool:
        try:
            dt.time.fromisoformat(value)
        except (TypeError, ValueError):
            return False
        return True

    for item in sleeps:
        if not (time_ok(item.get("from")) and time_ok(item.get("to"))):
            raise ValidationError(_("A nap needs a start and an end time, like 09:30 and 11:00."))
    for item in feeds:
        if not time_ok(item.get("time")):
            raise ValidationError(_("A bottle or meal needs a time, like 12:15."))
        if item.get("ml") not in (None, "") and not (0 < int(item["ml"]) <= 500):
            raise ValidationError(_("A bottle holds between 1 and 500 ml."))
    for item in nappies:
        if not time_ok(item.get("time")) or item.get("kind") not in ("wet", "dirty", "dry"):
            raise ValidationError(_("A nappy needs a time and wet, dirty or dry."))


@transaction.atomic
def entry_save(
    *,
    author,
    child: Child,
    day: dt.date,
    text: str,
    publish: bool,
    by_guardian: bool = False,
    sleeps=(),
    feeds=(),
    nappies=(),
    mood: str = "",
    media=None,
    entry: DiaryEntry | None = None,
) -> DiaryEntry:
    """Write or update an entry; staff may keep it as a draft, guardians' entries are published."""
    sleeps, feeds, nappies = list(sleeps), list(feeds), list(nappies)
    bounds.check_care_items(sleeps, feeds, nappies)
    bounds.check_value([sleeps, feeds, nappies])
    _validate_care(sleeps, feeds, nappies)
    bounds.check_text(text, bounds.TEXT_MAX_LENGTH)
    bounds.check_date(day)
    if not text.strip() and not (sleeps or feeds or nappies or mood or media):
        raise ValidationError(_("Write something, or fill in a care note."))
    if day > clock.today():
        raise ValidationError(_("The diary is about days that have come; choose today or earlier."))
    is_new = entry is None
    entry = entry or DiaryEntry(child=child, author=author, by_guardian=by_guardian)
    was_published = entry.state == DiaryEntry.State.PUBLISHED
    old_state, old_date = (None, None) if is_new else (entry.state, entry.date)
    placement = next((p for p in child.placements.select_related("group") if p.is_active_on(day)), None)
    entry.group = placement.group if placement else None
    entry.date, entry.text = day, text.strip()
    entry.sleeps, entry.feeds, entry.nappies, entry.mood, entry.media = sleeps, feeds, nappies, mood, media
    if publish or by_guardian:
        entry.state = DiaryEntry.State.PUBLISHED
        entry.published_at = entry.published_at or clock.now()
    entry.save()
    _log_entry(entry, actor=author, is_new=is_new, was_published=was_published, old_state=old_state, old_date=old_date)
    if entry.state == DiaryEntry.State.PUBLISHED and not was_published and not by_guardian:
        from portal.diary.tasks import notify_entry

        enqueue_after_commit(notify_entry, entry.pk)
    return entry


def _log_entry(entry: DiaryEntry, *, actor, is_new: bool, was_published: bool, old_state, old_date) -> None:
    """The history says which page changed how; never its text or care notes."""
    words = {"child": entry.child.first_name, "day": date_format(entry.date, "j F Y")}
    if entry.state == DiaryEntry.State.PUBLISHED and not was_published:
        action, summary = "diary.entry.published", _("Diary page of %(child)s for %(day)s published")
    elif is_new:
        action, summary = "diary.entry.created", _("Diary page of %(child)s for %(day)s saved as a draft")
    else:
        action, summary = "diary.entry.changed", _("Diary page of %(child)s for %(day)s changed")
    changes = {}
    if old_state != entry.state:
        changes["state"] = [old_state, entry.state]
    if old_date != entry.date:
        changes["date"] = [old_date, entry.date]
    log_action(
        action,
        actor=actor,
        organisation=entry.child.organisation_id,
        target=entry,
        changes=changes,
        summary=summary % words,
    )


@transaction.atomic
def reply_add(*, author, entry: DiaryEntry, text: str) -> DiaryReply:
    bounds.check_text(text, REPLY_MAX_LENGTH)
    if not text.strip():
        raise ValidationError(_("Write a reply first."))
    reply = DiaryReply.objects.create(entry=entry, author=author, text=text.strip())
    log_action(
        "diary.reply.added",
        actor=author,
        organisation=entry.child.organisation_id,
        target=reply,
        child=entry.child_id,
        summary=_("Reply on the diary page of %(child)s for %(day)s")
        % {"child": entry.child.first_name, "day": date_format(entry.date, "j F Y")},
    )
    return reply


@transaction.atomic
def export_request(*, user, child: Child, first_day: dt.date | None, last_day: dt.date | None) -> DiaryExport:
    for day in (first_day, last_day):
        if day is not None:
            bounds.check_date(day)
    if first_day and last_day and first_day > last_day:
        raise ValidationError(_("The first day comes after the last day."))
    export = DiaryExport.objects.create(child=child, requested_by=user, first_day=first_day, last_day=last_day)
    log_action(
        "diary.export.requested",
        actor=user,
        organisation=child.organisation_id,
        target=export,
        changes={"first_day": [None, first_day], "last_day": [None, last_day]},
        summary=_("Diary of %(child)s asked for as a PDF") % {"child": child.first_name},
    )
    from portal.diary.tasks import make_pdf

    enqueue_after_commit(make_pdf, export.pk)
    return export


def export_make(export_id: int) -> DiaryExport | None:
    from portal.diary.pdf import diary_pdf

    export = DiaryExport.objects.select_related("child").filter(pk=export_id).first()
    if export is None or export.file or export.error:
        return export  # deleted, or done before (a run that died after saving it, run again)
    try:
        content, pages = diary_pdf(export.child, export.first_day, export.last_day)
    except DatabaseError:
        raise  # the database went away: the worker runs the task again
    except Exception as exc:  # noqa: BLE001 - tell the person who asked, keep the details in the log
        export.error = _("The PDF could not be made.")[:300]
        export.save(update_fields=["error"])
        raise exc
    export.pages = pages
    export.file.save(f"schriftje-{export.child.first_name.lower()}-{export.pk}.pdf", ContentFile(content), save=False)
    export.save(update_fields=["file", "pages"])
    return export


def export_give_up(export_id: int, reason: str) -> None:
    """Making the PDF failed for good (its worker died each time): the person who asked sees
    that it could not be made, instead of "being made" for ever."""
    DiaryExport.objects.filter(pk=export_id, file="", error="").update(
        error=_("The PDF could not be made. Please ask for it again.")[:300]
    )


def export_waiting(before) -> list[int]:
    """Exports still being made, asked for before `before`."""
    return list(DiaryExport.objects.filter(file="", error="", requested_at__lt=before).values_list("pk", flat=True))


@transaction.atomic
def note_add_for_children(*, author, children, text: str) -> list[DiaryEntry]:
    """One note for several children at once ("slapen allemaal", "naar buiten"): a line with
    the time, added to each child's page of today, as a draft when the page is new (staff
    publish it with the rest of the day). Each page is saved by `entry_save`, so each child's
    history line is written as for one page."""
    text = " ".join(text.split())
    if not text:
        raise ValidationError(_("Write the note."))
    if not children:
        raise ValidationError(_("Choose the children the note is about."))
    today = clock.today()
    line = f"{time_short(clock.now())} {text}"
    saved = []
    for child in children:
        entry = DiaryEntry.objects.filter(child=child, date=today, by_guardian=False).order_by("id").first()
        saved.append(
            entry_save(
                author=author,
                child=child,
                day=today,
                text=f"{entry.text}\n{line}" if entry and entry.text else line,
                publish=entry is not None and entry.state == DiaryEntry.State.PUBLISHED,
                sleeps=entry.sleeps if entry else (),
                feeds=entry.feeds if entry else (),
                nappies=entry.nappies if entry else (),
                mood=entry.mood if entry else "",
                media=entry.media if entry else None,
                entry=entry,
            )
        )
    return saved
