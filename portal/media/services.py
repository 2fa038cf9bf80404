"""Writes for photos and videos: receive an upload, process it, tag children."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from portal.children.models import Child
from portal.core import clock
from portal.media import processing
from portal.media.models import MediaItem, MediaTag, Rendition
from portal.organisations.models import Group


def taggable_children(group: Group, day=None):
    """Children placed on the group now or later: the ones staff can tag."""
    from django.db.models import Q

    day = day or clock.today()
    return (
        Child.objects.filter(placements__group=group)
        .filter(Q(placements__end_date__isnull=True) | Q(placements__end_date__gte=day))
        .distinct()
        .order_by("first_name", "last_name")
    )


def _checked_children(group: Group, child_ids) -> list[Child]:
    children = list(taggable_children(group).filter(pk__in=child_ids))
    if len(children) != len(set(child_ids)):
        raise ValidationError(_("Only children of this group can be tagged."))
    refused = [c.first_name for c in children if not c.photo_consent]
    if refused:
        raise ValidationError(
            _("No photo consent for %(names)s: they cannot be tagged.") % {"names": ", ".join(refused)}
        )
    return children


def media_receive(*, user, group: Group, upload, upload_key: str, caption: str, child_ids) -> tuple[MediaItem, bool]:
    """Store one uploaded file and queue its processing. The same `upload_key` from the same
    user again (a re-send over a weak connection) returns the first upload."""
    existing = MediaItem.objects.filter(uploaded_by=user, upload_key=upload_key).first()
    if existing is not None:
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
                original_name=upload.name[:200],
            )
            item.incoming.save("incoming", upload, save=True)
            MediaTag.objects.bulk_create(MediaTag(media=item, child=c) for c in children)
    except IntegrityError:
        return MediaItem.objects.get(uploaded_by=user, upload_key=upload_key), False
    from portal.media.tasks import process_media

    transaction.on_commit(lambda: process_media.enqueue(item.pk))
    return item, True


def media_process(media_id: int) -> MediaItem:
    """Make the renditions and delete the incoming file (with its metadata). Runs in the worker."""
    item = MediaItem.objects.get(pk=media_id)
    if item.state != MediaItem.State.PROCESSING or not item.incoming:
        return item
    with item.incoming.open("rb") as handle:
        data = handle.read()
    try:
        if item.kind == MediaItem.Kind.PHOTO:
            outputs, duration = processing.process_photo(data), None
        else:
            outputs, duration = processing.process_video(data)
    except processing.MediaRejected as exc:
        item.state = MediaItem.State.FAILED
        item.error = str(exc)[:300]
        item.incoming.delete(save=False)
        item.save(update_fields=["state", "error", "incoming"])
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
    item.incoming.delete(save=False)
    MediaItem.objects.filter(pk=item.pk).update(incoming="")
    return item


@transaction.atomic
def media_set_tags(*, user, item: MediaItem, child_ids) -> None:
    """Tag exactly these children. Untagging takes the photo out of that family's feed at once."""
    children = _checked_children(item.group, child_ids) if child_ids else []
    MediaTag.objects.filter(media=item).exclude(child__in=children).delete()
    existing = set(MediaTag.objects.filter(media=item).values_list("child_id", flat=True))
    MediaTag.objects.bulk_create(MediaTag(media=item, child=c) for c in children if c.pk not in existing)


@transaction.atomic
def media_delete(*, user, item: MediaItem) -> None:
    for rendition in item.renditions.all():
        rendition.file.delete(save=False)
    if item.incoming:
        item.incoming.delete(save=False)
    item.delete()
