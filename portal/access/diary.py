"""The diary (schriftje): a child's diary is for the child's guardians and the staff of the
group the child is placed on now or later. Staff write staff pages and see drafts; guardians
read the published pages and write their own."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from portal.access.roles import is_guardian_of, roles_of
from portal.children.models import Child
from portal.core import clock
from portal.diary.models import DiaryEntry, DiaryExport


def diary_child_for_user(user, child_id: int) -> Child:
    """The child whose diary the user opens; anyone else's is a 404."""
    try:
        child = Child.objects.filter(pk=child_id).first()
    except (ValueError, TypeError, OverflowError):
        child = None
    if child is None:
        raise Http404
    if is_guardian_of(user, child) or is_diary_staff(user, child):
        return child
    raise Http404


def is_diary_staff(user, child: Child) -> bool:
    """Staff of a group the child is placed on (now or later) write staff pages and see drafts."""
    return (
        child.placements.current_or_upcoming(clock.today()).filter(group_id__in=roles_of(user).staff_group_ids).exists()
    )


def readable_entries(user, child: Child) -> QuerySet[DiaryEntry]:
    """The pages of the child's diary the user reads: all for the diary's staff, the published
    ones for the family. Call after `diary_child_for_user`."""
    entries = child.diary_entries.all()
    if not is_diary_staff(user, child):
        entries = entries.filter(state=DiaryEntry.State.PUBLISHED)
    return entries


def entry_for_reader(user, entry_id: int) -> DiaryEntry:
    """One page the user may read (to reply to it, or to see its photo); anything else a 404."""
    try:
        entry = DiaryEntry.objects.select_related("media", "child").filter(pk=entry_id).first()
    except (ValueError, TypeError, OverflowError):
        entry = None
    if entry is None:
        raise Http404
    child = diary_child_for_user(user, entry.child_id)
    if entry.state != DiaryEntry.State.PUBLISHED and not is_diary_staff(user, child):
        raise Http404
    return entry


def entry_for_editor(user, child: Child, entry_id: int) -> DiaryEntry:
    """A page of the child's diary the user may change: staff any page, a guardian their own."""
    entry = child.diary_entries.filter(pk=entry_id).first()
    if entry is None or (not is_diary_staff(user, child) and entry.author_id != user.pk):
        raise Http404
    return entry


def export_for_user(user, export_id: int) -> DiaryExport:
    """A PDF the user asked for, of a diary they still may read; anything else is a 404."""
    try:
        made = DiaryExport.objects.filter(pk=export_id, requested_by=user).first()
    except (ValueError, TypeError, OverflowError):
        made = None
    if made is None:
        raise Http404
    diary_child_for_user(user, made.child_id)
    return made


def may_view_as_guardian(user, child: Child) -> bool:
    return is_guardian_of(user, child)
