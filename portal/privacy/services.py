"""Writes for the family's privacy (docs/privacy.md):

- the departure notices: when a child's last placement gets an end date, and two weeks before
  the family's access ends;
- the removal of a child's data the day after the grace period (`child_data_remove`), or
  earlier when an admin confirms a guardian's erasure request, and the removal of what the
  fiscal retention kept, seven years on (`child_fiscal_remove`); `departure_daily` runs both
  from `manage.py run_daily`;
- the access log of who downloaded a child's files or opened the child's record.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from portal.children.models import Child, Guardian, Placement
from portal.children.selectors import children_leaving, departure_of
from portal.core import clock
from portal.core.audit import log_action
from portal.core.models import AuditEntry
from portal.core.tasks import enqueue_after_commit
from portal.organisations.models import Organisation
from portal.privacy.models import AccessLogEntry, ChildRemoval, ErasureRequest

logger = logging.getLogger(__name__)

# History lines that the fiscal retention keeps with their words: placements and planning.
FISCAL_NAMESPACES = ("placement.", "planning.")
# What the fiscal retention keeps is removed on 1 January of the eighth year after the last day.
FISCAL_YEARS = 7


# ---------------------------------------------------------------- the access log


def access_record(*, actor, organisation_id: int, child_ids: Iterable[int], what: str, object_id=None) -> None:
    """Someone (`actor`) downloaded files of these children, or opened their record."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return
    AccessLogEntry.objects.bulk_create(
        AccessLogEntry(organisation_id=organisation_id, child_id=child_id, actor=actor, what=what, object_id=object_id)
        for child_id in sorted(set(child_ids))
    )


def first_piece(request) -> bool:
    """A download, not a resumed piece of one (a Range from a later byte): the log gets one
    line per download."""
    wanted = request.META.get("HTTP_RANGE", "").strip()
    return not wanted or wanted == "bytes=0-"


# ---------------------------------------------------------------- departure notices


def departure_announce(child: Child) -> None:
    """The child's last placement has an end date: tell the guardians, once per last day, that
    they can take everything along until the grace period ends."""
    from portal.privacy.tasks import announce_departure

    enqueue_after_commit(announce_departure, child.pk)


def _notify_departure(child: Child, *, reminder: bool) -> int:
    from portal.notifications.models import Kind
    from portal.notifications.services import Text, notify

    departure = departure_of(child)
    if departure is None or not departure.open_on(clock.today()):
        return 0
    url = reverse("exports:departure", args=[child.pk])

    def render(user) -> Text:  # runs in the user's language
        words = {
            "child": child.first_name,
            "last": date_format(departure.last_day, "j F Y"),
            "until": date_format(departure.access_until, "j F Y"),
        }
        if reminder:
            return Text(
                title=_("Two weeks left to save everything of %(child)s") % words,
                body=_(
                    "After %(until)s the photos, videos, diary and messages of %(child)s are removed from the "
                    "portal. Download everything in one go before then."
                )
                % words,
                url=url,
            )
        return Text(
            title=_("%(child)s's last day is %(last)s: take everything along") % words,
            body=_(
                "Until %(until)s you can download all photos, videos, the diary and the messages of %(child)s "
                "in one go, to keep and to print."
            )
            % words,
            url=url,
        )

    guardians = [g.user for g in child.guardians.select_related("user")]
    kind_key = "departure-reminder" if reminder else "departure"
    key = f"{kind_key}:{child.pk}:{departure.last_day}"
    return len(notify(users=guardians, kind=Kind.DEPARTURE, key=key, render=render))


def departure_notify(child_id: int) -> int:
    child = Child.objects.select_related("organisation").filter(pk=child_id, removal__isnull=True).first()
    if child is None:
        return 0
    return _notify_departure(child, reminder=False)


# ---------------------------------------------------------------- the daily job


def departure_daily(day: dt.date) -> str:
    """For every organisation: remind the families whose access ends within two weeks, remove
    the data of the children whose grace period ended before `day`, and remove what the fiscal
    retention kept once its seven years are over. Running a day twice does nothing twice."""
    from portal.children.selectors import REMINDER_DAYS_BEFORE_ACCESS_ENDS

    reminded = removed = fiscal = 0
    for organisation in Organisation.objects.all():
        grace = dt.timedelta(days=organisation.grace_period_days)
        still_here = Child.objects.filter(organisation=organisation, removal__isnull=True).select_related(
            "organisation"
        )
        reminder = children_leaving(
            still_here,
            last_day_from=day - grace,
            last_day_until=day - grace + dt.timedelta(days=REMINDER_DAYS_BEFORE_ACCESS_ENDS),
        )
        for child in reminder:
            reminded += _notify_departure(child, reminder=True)
        for child in children_leaving(still_here, last_day_until=day - grace - dt.timedelta(days=1)):
            child_data_remove(child=child, reason=ChildRemoval.Reason.RETENTION, actor=None)
            removed += 1
        kept = ChildRemoval.objects.filter(
            organisation=organisation, fiscal_removed_at__isnull=True, child__isnull=False
        )
        for removal in kept.select_related("child"):
            child = removal.child
            if child is None:
                continue
            last_day = max((p.end_date for p in child.placements.all() if p.end_date), default=None)
            if last_day is None or day >= dt.date(last_day.year + FISCAL_YEARS + 1, 1, 1):
                child_fiscal_remove(removal=removal)
                fiscal += 1
    return f"{reminded} reminded, {removed} children's data removed, {fiscal} fiscal records removed"


# ---------------------------------------------------------------- removal


@transaction.atomic
def child_data_remove(*, child: Child, reason: str, actor=None) -> ChildRemoval:
    """Remove what the organisation no longer may keep of a child (docs/privacy.md, "What is
    removed"): photos and videos only this child is on (every file of them), the child's tags
    on shared photos, the diary, the family's conversations with their attachments, the
    notifications about them, archives and diary PDFs, the access log, the child's personal
    details, and the guardians' accounts that have nothing else here. What invoices rest on
    (the child's name and birth date, placements, absences, requests, credits and decisions)
    stays for the fiscal retention, without free texts. Recorded with ids and counts only."""
    from portal.diary.models import DiaryEntry, DiaryExport
    from portal.exports.models import Archive
    from portal.exports.services import archive_delete
    from portal.media.models import MediaItem, MediaTag
    from portal.messaging.models import Attachment, Message, Thread
    from portal.notifications.models import Notification
    from portal.planning.models import Absence, CalendarFeed, PlanningRequest

    child = Child.objects.select_for_update().get(pk=child.pk)
    existing = ChildRemoval.objects.filter(child=child).first()
    if existing is not None:
        return existing
    counts: Counter[str] = Counter()
    files: list = []  # FieldFiles to delete once the rows are gone
    keys: set[str] = {f"departure:{child.pk}:", f"departure-reminder:{child.pk}:"}

    # Photos and videos: those only this child is on go whole; on shared ones the tag goes.
    tagged = list(MediaTag.objects.filter(child=child).values_list("media_id", flat=True))
    others = set(MediaTag.objects.filter(media_id__in=tagged).exclude(child=child).values_list("media_id", flat=True))
    # A photo of a diary page belongs to the page, unless other children are tagged on it.
    in_diary = set(DiaryEntry.objects.filter(child=child, media__isnull=False).values_list("media_id", flat=True))
    diary_media = in_diary - set(
        MediaTag.objects.filter(media_id__in=in_diary).exclude(child=child).values_list("media_id", flat=True)
    )
    only_this_child = (set(tagged) - others) | diary_media
    keys |= {f"photo:{pk}" for pk in tagged} | {f"photo:{pk}" for pk in diary_media}
    counts["tags_removed"] = MediaTag.objects.filter(child=child, media_id__in=others).count()
    for item in MediaItem.objects.filter(pk__in=only_this_child).prefetch_related("renditions"):
        files += [r.file for r in item.renditions.all()]
        if item.incoming:
            files.append(item.incoming)
    counts["media_removed"] = len(only_this_child)
    MediaTag.objects.filter(child=child).delete()

    # The diary, its PDFs; the family's conversations and their attachments.
    entries = list(DiaryEntry.objects.filter(child=child).values_list("pk", flat=True))
    keys |= {f"diary:{pk}" for pk in entries}
    counts["diary_pages_removed"] = len(entries)
    for export in DiaryExport.objects.filter(child=child):
        if export.file:
            files.append(export.file)
    DiaryExport.objects.filter(child=child).delete()
    DiaryEntry.objects.filter(child=child).delete()
    MediaItem.objects.filter(pk__in=only_this_child).delete()
    threads = list(Thread.objects.filter(child=child).values_list("pk", flat=True))
    message_ids = list(Message.objects.filter(thread_id__in=threads).values_list("pk", flat=True))
    keys |= {f"message:{pk}" for pk in message_ids}
    for attachment in Attachment.objects.filter(message_id__in=message_ids):
        files += [f for f in (attachment.file, attachment.thumbnail) if f]
    counts["conversations_removed"] = len(threads)
    counts["messages_removed"] = len(message_ids)
    Thread.objects.filter(pk__in=threads).delete()

    # Archives of the child, and the data exports of its guardians here (they hold the child).
    guardian_ids = list(Guardian.objects.filter(child=child).values_list("user_id", flat=True))
    archives = Archive.objects.filter(
        Q(child=child) | Q(kind=Archive.Kind.DATA, requested_by_id__in=guardian_ids, organisation=child.organisation)
    )
    counts["archives_removed"] = archives.count()
    for archive in archives:
        archive_delete(archive)

    # Notifications about what went, the access log, and the child's own details.
    counts["notifications_removed"] = _delete_notifications(Notification, keys)
    AccessLogEntry.objects.filter(child=child).delete()
    child.pickup_persons.all().delete()
    child.emergency_contacts.all().delete()
    CalendarFeed.objects.filter(child=child).delete()
    Child.objects.filter(pk=child.pk).update(allergies="", notes="", photo_consent=False)
    Absence.objects.filter(child=child).update(note="")
    PlanningRequest.objects.filter(child=child).update(decision_note="")
    _scrub_history(child, keep=FISCAL_NAMESPACES)

    # The guardians: no longer linked to the child; an account with nothing else goes.
    Guardian.objects.filter(child=child).delete()
    counts["accounts_removed"] = _remove_accounts_without_relation(guardian_ids, child.organisation_id)

    for stored in files:
        stored.delete(save=False)
    counts["files_removed"] = len(files)
    removal = ChildRemoval.objects.create(
        organisation_id=child.organisation_id, child=child, child_number=child.pk, reason=reason, counts=dict(counts)
    )
    log_action(
        "privacy.child.removed",
        actor=actor,
        organisation=child.organisation_id,
        target=removal,
        child=child,
        changes={"reason": reason, **counts},
        summary=_("Data of child %(number)s removed (%(reason)s)")
        % {"number": child.pk, "reason": removal.get_reason_display()},
    )
    return removal


def _delete_notifications(model, keys: set[str]) -> int:
    prefixes = [k for k in keys if k.endswith(":")]
    exact = [k for k in keys if not k.endswith(":")]
    query = Q(key__in=exact)
    for prefix in prefixes:
        query |= Q(key__startswith=prefix)
    deleted, _rows = model.objects.filter(query).delete()
    return deleted


def _scrub_history(child: Child, *, keep: tuple[str, ...] = ()) -> None:
    """History lines about the child keep what happened, when and by whom, but no longer the
    words (which name the child, guardians or places), except the namespaces in `keep`."""
    lines = AuditEntry.objects.filter(child=child).exclude(action__startswith="privacy.")
    for namespace in keep:
        lines = lines.exclude(action__startswith=namespace)
    lines.update(summary="", changes={})


def _remove_accounts_without_relation(user_ids: Iterable[int], organisation_id: int) -> int:
    """Delete the logins among `user_ids` that have no child and no role left anywhere; for the
    others, drop this organisation's profile of them when nothing links them here any more."""
    from portal.accounts.models import OrganisationProfile, User
    from portal.organisations.models import GroupStaff, LocationPlanner, OrganisationAdmin

    removed = 0
    for user in User.objects.filter(pk__in=list(user_ids)).annotate(
        children=Count("guardianships", distinct=True),
        staff=Count("group_roles", distinct=True),
        planner=Count("planner_roles", distinct=True),
        admin=Count("admin_roles", distinct=True),
    ):
        if not (user.children or user.staff or user.planner or user.admin or user.is_staff or user.is_superuser):
            user.delete()
            removed += 1
            continue
        linked_here = (
            Guardian.objects.filter(user=user, child__organisation_id=organisation_id).exists()
            or GroupStaff.objects.filter(user=user, group__location__organisation_id=organisation_id).exists()
            or LocationPlanner.objects.filter(user=user, location__organisation_id=organisation_id).exists()
            or OrganisationAdmin.objects.filter(user=user, organisation_id=organisation_id).exists()
        )
        if not linked_here:
            OrganisationProfile.objects.filter(user=user, organisation_id=organisation_id).delete()
    return removed


@transaction.atomic
def child_fiscal_remove(*, removal: ChildRemoval) -> None:
    """Seven years on, what the fiscal retention kept goes too: the child, its placements,
    absences, requests and credits; the history keeps ids, actions and times only."""
    child = removal.child
    if child is None:
        return
    _scrub_history(child)
    organisation_id = child.organisation_id
    number = child.pk
    Placement.objects.filter(child=child).delete()  # its schedule, absences, requests and credits with it
    child.delete()
    removal.child, removal.fiscal_removed_at = None, clock.now()
    removal.save(update_fields=["child", "fiscal_removed_at"])
    log_action(
        "privacy.child.fiscal_removed",
        actor=None,
        organisation=organisation_id,
        target=removal,
        summary=_("The records of child %(number)s kept for the fiscal retention were removed") % {"number": number},
    )


# ---------------------------------------------------------------- erasure requests


def _plain(text: str, limit: int = 2000) -> str:
    """A free text as it may be stored: without NUL and other control characters (line breaks
    and tabs stay), trimmed, at most `limit` characters."""
    kept = "".join(ch for ch in text if ch in "\n\t" or (ch >= " " and ch != "\x7f"))
    return kept.strip()[:limit]


def erasure_request(*, user, child: Child, note: str = "") -> ErasureRequest:
    """A guardian asks for the erasure of their child's data (ask `portal.access.privacy`)."""
    try:
        with transaction.atomic():
            request = ErasureRequest.objects.create(
                organisation_id=child.organisation_id, child=child, requested_by=user, note=_plain(note)
            )
            log_action(
                "privacy.erasure.requested",
                actor=user,
                organisation=child.organisation_id,
                target=request,
                child=child,
                summary=_("Erasure of the data of %(child)s asked for") % {"child": child.first_name},
            )
    except IntegrityError:  # one is open already: that is the answer
        return ErasureRequest.objects.get(child=child, state=ErasureRequest.State.OPEN)
    return request


@transaction.atomic
def erasure_confirm(*, admin, request: ErasureRequest) -> ChildRemoval:
    """The admin confirms: the child's data is removed now, as after the grace period. A child
    still placed (now or later) cannot be erased: end the placement first."""
    request = ErasureRequest.objects.select_for_update().get(pk=request.pk)
    if request.state != ErasureRequest.State.OPEN or request.child is None:
        raise ValidationError(_("This request has been decided already."))
    child = request.child
    if Placement.objects.filter(child=child).current_or_upcoming(clock.today()).exists():
        raise ValidationError(
            _("%(child)s still has a current or upcoming placement. End the placement first, then confirm.")
            % {"child": child.first_name}
        )
    requester = request.requested_by
    mail = (requester.email, requester.language, child.first_name) if requester is not None else None
    request.state = ErasureRequest.State.CONFIRMED
    request.decided_by, request.decided_at = admin, clock.now()
    request.save(update_fields=["state", "decided_by", "decided_at"])
    log_action(
        "privacy.erasure.confirmed",
        actor=admin,
        organisation=child.organisation_id,
        target=request,
        child=child,
        summary=_("Erasure of the data of child %(number)s confirmed") % {"number": child.pk},
    )
    removal = child_data_remove(child=child, reason=ChildRemoval.Reason.ERASURE, actor=admin)
    if mail is not None:
        from portal.privacy.tasks import mail_erasure_done

        enqueue_after_commit(mail_erasure_done, *mail)
    return removal


@transaction.atomic
def erasure_refuse(*, admin, request: ErasureRequest, refusal: str) -> ErasureRequest:
    """The admin refuses, and says why (the guardian reads it)."""
    from portal.notifications.models import Kind
    from portal.notifications.services import Text, notify

    refusal = _plain(refusal)
    if not refusal:
        raise ValidationError(_("Explain why the request is refused: the guardian reads it."))
    request = ErasureRequest.objects.select_for_update().select_related("child").get(pk=request.pk)
    if request.state != ErasureRequest.State.OPEN or request.child is None:
        raise ValidationError(_("This request has been decided already."))
    request.state = ErasureRequest.State.REFUSED
    request.refusal = refusal[:2000]
    request.decided_by, request.decided_at = admin, clock.now()
    request.save(update_fields=["state", "refusal", "decided_by", "decided_at"])
    child = request.child
    log_action(
        "privacy.erasure.refused",
        actor=admin,
        organisation=child.organisation_id,
        target=request,
        child=child,
        summary=_("Erasure of the data of %(child)s refused") % {"child": child.first_name},
    )
    if request.requested_by is not None:
        notify(
            users=[request.requested_by],
            kind=Kind.DEPARTURE,
            key=f"erasure:{request.pk}",
            render=lambda user: Text(
                title=_("Your request to erase the data of %(child)s was refused") % {"child": child.first_name},
                body=refusal,
                url=reverse("privacy:child", args=[child.pk]),
            ),
        )
    return request
