"""Writes for photos and videos: receive an upload, process it, tag children."""

from __future__ import annotations

import hashlib
import logging
import re

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from portal.accounts import kept
from portal.children.models import Child
from portal.children.selectors import children_of_group
from portal.core import bounds, clock
from portal.core.audit import log_action
from portal.core.tasks import enqueue_after_commit
from portal.media import processing
from portal.media.models import MediaItem, MediaTag, Rendition
from portal.organisations.models import Group

logger = logging.getLogger(__name__)


def taggable_children(group: Group, day=None):
    """Children placed on the group now or later: the ones staff can tag."""
    return children_of_group(group, day or clock.today())


# What a device may choose as an upload key: up to 64 characters, no spaces or control characters.
UPLOAD_KEY = re.compile(r"[^\s\x00-\x1f\x7f-\x9f]{1,64}")


def _checked_children(group: Group, child_ids) -> list[Child]:
    """The children of `group` with these ids (duplicates count once), or a ValidationError
    naming why one of them cannot be tagged: not (or no longer) on the group, another
    organisation's child, or no photo consent."""
    child_ids = set(child_ids)
    if not child_ids:
        return []
    children = list(taggable_children(group).filter(pk__in=child_ids))
    if len(children) != len(set(child_ids)):
        raise ValidationError(_("Only children of this group can be tagged."))
    refused = [c.first_name for c in children if not c.photo_consent]
    if refused:
        raise ValidationError(
            _("No photo consent for %(names)s: they cannot be tagged.") % {"names": ", ".join(refused)}
        )
    return children


def _name(item: MediaItem) -> str:
    """'Photo 12': how the history names an item (never its caption: that is the staff's words)."""
    return f"{capfirst(item.get_kind_display())} {item.pk}"


def _log_per_child(action: str, item: MediaItem, *, actor, children, summary, alone: str | None = None) -> None:
    """One line per child on the item (so the history of a child shows every photo they were on);
    `alone`, when given, is the line for an item without children."""
    for child in children:
        log_action(
            action,
            actor=actor,
            organisation=item.organisation_id,
            target=item,
            child=child,
            summary=summary % {"item": _name(item), "child": child.first_name, "group": item.group.name},
        )
    if not children and alone is not None:
        log_action(
            action,
            actor=actor,
            organisation=item.organisation_id,
            target=item,
            summary=alone % {"item": _name(item), "group": item.group.name},
        )


def media_receive(*, user, group: Group, upload, upload_key: str, caption: str, child_ids) -> tuple[MediaItem, bool]:
    """Store one uploaded file and queue its processing. The same `upload_key` from the same
    user again (a re-send over a weak connection) returns the first upload, with the tags and
    caption it was first sent with. Each file carries its own `child_ids`."""
    if not UPLOAD_KEY.fullmatch(upload_key or ""):
        raise ValidationError(_("This upload could not be matched to its form. Reload the page and send it again."))
    caption = bounds.check_text(caption.strip(), max_length=500)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    existing = MediaItem.objects.filter(uploaded_by=user, upload_key=upload_key).first()
    if existing is not None:
        if existing.sha256 != digest.hexdigest() or existing.group_id != group.pk:
            raise ValidationError(
                _("%(name)s: this upload was already used for another file. Reload the page and send it again.")
                % {"name": upload.name}
            )
        return existing, False
    head = upload.read(16)
    upload.seek(0)
    kind = processing.check_upload(upload.name, upload.size, head)
    children = _checked_children(group, child_ids)
    try:
        with transaction.atomic():
            item = MediaItem.objects.create(
                organisation=group.location.organisation,
                group=group,
                uploaded_by=user,
                upload_key=upload_key,
                caption=caption[:500],
                kind=kind,
                original_name="".join(ch for ch in upload.name if ch.isprintable())[:200],
                sha256=digest.hexdigest(),
            )
            item.incoming.save("incoming", upload, save=True)
            MediaTag.objects.bulk_create(MediaTag(media=item, child=c) for c in children)
            _log_per_child(
                "media.item.uploaded",
                item,
                actor=user,
                children=children,
                summary=_("%(item)s posted on %(group)s; %(child)s is on it"),
                alone=_("%(item)s posted on %(group)s"),
            )
    except IntegrityError:
        return MediaItem.objects.get(uploaded_by=user, upload_key=upload_key), False
    from portal.media.tasks import process_media

    enqueue_after_commit(process_media, item.pk)
    return item, True


def media_process(media_id: int) -> MediaItem | None:
    """Make the renditions and delete the incoming file (with its metadata). Runs in the worker."""
    item = MediaItem.objects.filter(pk=media_id).first()
    if item is None:
        return None  # deleted meanwhile (its files went with it)
    if item.state != MediaItem.State.PROCESSING:
        # Done before, by a run that died before it deleted the upload: finish that.
        _delete_incoming(item)
        return item
    if not item.incoming:
        return item
    _delete_unrecorded_renditions(item)
    with item.incoming.open("rb") as handle:
        data = handle.read()
    try:
        if item.kind == MediaItem.Kind.PHOTO:
            outputs, duration = processing.process_photo(data), None
        else:
            outputs, duration = processing.process_video(data)
    except Exception as exc:  # noqa: BLE001 - whatever went wrong, the upload must not linger
        item.state = MediaItem.State.FAILED
        item.error = (
            str(exc) if isinstance(exc, processing.MediaRejected) else _("This file could not be processed.")
        )[:300]
        item.incoming.delete(save=False)
        item.save(update_fields=["state", "error", "incoming"])
        if not isinstance(exc, processing.MediaRejected):
            logger.exception("media %s could not be processed", item.pk)
        return item
    with transaction.atomic():
        for output in outputs:
            rendition = Rendition(
                media=item,
                name=output.name,
                content_type=output.content_type,
                width=output.width,
                height=output.height,
                size=len(output.content),
            )
            extension = "mp4" if output.content_type == "video/mp4" else "jpg"
            rendition.file.save(f"{output.name}.{extension}", ContentFile(output.content), save=False)
            rendition.save()
        main = outputs[0]
        item.width, item.height, item.duration_seconds = main.width, main.height, duration
        item.state = MediaItem.State.READY
        item.save(update_fields=["width", "height", "duration_seconds", "state"])
        from portal.media.tasks import notify_tagged

        enqueue_after_commit(notify_tagged, item.pk)
    _delete_incoming(item)
    return item


def _delete_unrecorded_renditions(item: MediaItem) -> None:
    """A run that died halfway may have written rendition files whose rows were rolled back."""
    storage = Rendition._meta.get_field("file").storage
    folder = f"renditions/{item.organisation_id}/{item.pk}"
    recorded = set(Rendition.objects.filter(media=item).values_list("file", flat=True))
    try:
        names = storage.listdir(folder)[1]
    except FileNotFoundError:
        return
    for name in names:
        if f"{folder}/{name}" not in recorded:
            storage.delete(f"{folder}/{name}")


def _delete_incoming(item: MediaItem) -> None:
    """The upload as it came in (with its metadata, GPS above all) goes once it is no longer needed."""
    if item.incoming:
        item.incoming.delete(save=False)
        MediaItem.objects.filter(pk=item.pk).update(incoming="")


def media_give_up(media_id: int, reason: str) -> None:
    """Processing failed for good (its worker died each time, or it raised): the staff see the
    item as failed with a reason, and the upload with its metadata is deleted."""
    item = MediaItem.objects.filter(pk=media_id).first()
    if item is None:
        return
    if item.state == MediaItem.State.PROCESSING:
        logger.error("media %s given up: %s", item.pk, reason)
        item.state = MediaItem.State.FAILED
        item.error = str(_("Processing was interrupted; please upload this file again."))[:300]
        item.save(update_fields=["state", "error"])
    _delete_incoming(item)


def media_waiting(before) -> list[int]:
    """Items still waiting to be processed, uploaded before `before`."""
    return list(
        MediaItem.objects.filter(state=MediaItem.State.PROCESSING, uploaded_at__lt=before).values_list("pk", flat=True)
    )


@transaction.atomic
def media_set_tags(*, user, item: MediaItem, child_ids) -> None:
    """Tag exactly these children. Untagging takes the photo out of that family's feed at once."""
    children = _checked_children(item.group, child_ids) if child_ids else []
    removed = [t.child for t in MediaTag.objects.filter(media=item).exclude(child__in=children).select_related("child")]
    MediaTag.objects.filter(media=item).exclude(child__in=children).delete()
    if item.hidden_for_consent:  # the staff looked at it again and chose who is on it
        MediaItem.objects.filter(pk=item.pk).update(hidden_for_consent=False)
        log_action(
            "media.item.shown",
            actor=user,
            organisation=item.organisation_id,
            target=item,
            changes={"hidden_for_consent": [True, False]},
            summary=_("%(item)s shown to families again after the tags were checked") % {"item": _name(item)},
        )
    existing = set(MediaTag.objects.filter(media=item).values_list("child_id", flat=True))
    MediaTag.objects.bulk_create(MediaTag(media=item, child=c) for c in children if c.pk not in existing)
    _log_per_child(
        "media.item.untagged", item, actor=user, children=removed, summary=_("%(child)s no longer tagged on %(item)s")
    )
    _log_per_child(
        "media.item.tagged",
        item,
        actor=user,
        children=[c for c in children if c.pk not in existing],
        summary=_("%(child)s tagged on %(item)s"),
    )
    if item.state == MediaItem.State.READY and any(c.pk not in existing for c in children):
        from portal.media.tasks import notify_tagged

        enqueue_after_commit(notify_tagged, item.pk)


@transaction.atomic
def media_delete(*, user, item: MediaItem) -> None:
    children = [t.child for t in item.tags.select_related("child")]
    _log_per_child(
        "media.item.deleted",
        item,
        actor=user,
        children=children,
        summary=_("%(item)s of %(group)s deleted; %(child)s was on it"),
        alone=_("%(item)s of %(group)s deleted"),
    )
    for rendition in item.renditions.all():
        rendition.file.delete(save=False)
    if item.incoming:
        item.incoming.delete(save=False)
    item.delete()


def consent_withdrawn(child: Child, *, actor=None) -> int:
    """A child's photo consent was withdrawn: their tags go. The photos they were on are hidden
    from every family (see `visible_media`) until the staff remove or retag them. Call it in the
    transaction of the consent change; `actor` is who changed it."""
    media_ids = list(MediaTag.objects.filter(child=child).values_list("media_id", flat=True))
    MediaItem.objects.filter(pk__in=media_ids).update(hidden_for_consent=True)
    # The photos go from every family that saw them, not only this child's: their Today pages
    # are read afresh (portal.accounts.kept).
    on_them = MediaTag.objects.filter(media_id__in=media_ids).values_list("child_id", flat=True)
    kept.children_changed_after_commit(on_them)
    MediaTag.objects.filter(child=child).delete()
    for item in MediaItem.objects.filter(pk__in=media_ids).select_related("group").order_by("pk"):
        log_action(
            "media.item.consent_hidden",
            actor=actor,
            organisation=item.organisation_id,
            target=item,
            child=child,
            changes={"hidden_for_consent": [False, True], "tagged": [child.first_name, None]},
            summary=_("%(item)s hidden from families: no photo consent for %(child)s any more")
            % {"item": _name(item), "child": child.first_name},
        )
    return len(media_ids)
