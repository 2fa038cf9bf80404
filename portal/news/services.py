"""Writes of the news: publishing (now or at a set time), editing, removing, and telling the
families an item reaches, once.

Telling happens once per item: `item_notify` claims the item with
`UPDATE ... SET notified_at = now WHERE id = ... AND notified_at IS NULL AND publish_at <= now`
and only the caller that changed the row notifies, inside the same transaction (a failure
rolls the claim back, so a retry tells them after all). An item published now is told by a
task after the commit; a scheduled one by a task deferred to its time (when the task backend
can defer) and, in any case, by `publish_due`, which `send_notifications` runs every few
minutes.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from portal.access import news as news_access
from portal.core import bounds, clock
from portal.core.audit import log_action
from portal.core.tasks import enqueue_after_commit
from portal.media.attachments import PreparedFile, prepare_all
from portal.news.audience import NewsAudience
from portal.news.models import NewsAttachment, NewsItem

logger = logging.getLogger(__name__)

MAX_TITLE = 200
MAX_BODY = 50_000
MAX_ATTACHMENTS = 10
SUMMARY_CHARS = 200


def max_file_bytes() -> int:
    """The largest PDF accepted (NEWS_MAX_FILE_BYTES, 10 MB unless set)."""
    return getattr(settings, "NEWS_MAX_FILE_BYTES", 10 * 1024 * 1024)


def prepare_uploads(uploads) -> list[PreparedFile]:
    """Every upload checked before anything is stored (photos and PDFs, see
    `portal.media.attachments`): one bad file refuses them all."""
    return prepare_all(
        uploads,
        pdf_limit=max_file_bytes(),
        max_count=MAX_ATTACHMENTS,
        too_many=_("At most %(count)d files per item.") % {"count": MAX_ATTACHMENTS},
    )


def _validate(*, title: str, body: str, kind: str, publish_at: dt.datetime | None, was_published: bool) -> None:
    errors = []
    for text in (title, body):
        if bounds.has_control_characters(text):
            errors.append(_("The text holds an invisible control character; type it again or paste it as plain text."))
            break
    if publish_at is not None and not bounds.MIN_DATE <= publish_at.date() <= bounds.max_date():
        errors.append(_("Choose a moment within the coming years."))
    if not title.strip():
        errors.append(_("Give the item a title."))
    elif len(title.strip()) > MAX_TITLE:
        errors.append(_("The title is at most %(count)d characters.") % {"count": MAX_TITLE})
    if not body.strip():
        errors.append(_("Write the text of the item."))
    elif len(body) > MAX_BODY:
        errors.append(_("The text is at most %(count)d characters.") % {"count": MAX_BODY})
    if kind not in NewsItem.Kind.values:
        errors.append(_("Choose news item or newsletter."))
    if publish_at is not None and not was_published and publish_at <= clock.now():
        errors.append(_("Choose a moment in the future, or publish now."))
    if errors:
        raise ValidationError(errors)


def store_attachments(item: NewsItem, prepared: list[PreparedFile], stored: list) -> None:
    """Save the files of `prepared` with `item`; `stored` collects them, to clean up after a failure."""
    for p in prepared:
        attachment = NewsAttachment(
            item=item,
            kind=NewsAttachment.Kind.IMAGE if p.kind == "photo" else NewsAttachment.Kind.FILE,
            original_name=p.name,
            content_type=p.content_type,
            size=len(p.content),
            width=p.width,
            height=p.height,
        )
        attachment.file.save(p.name, ContentFile(p.content), save=False)
        stored.append(attachment.file)
        if p.thumbnail is not None:
            attachment.thumbnail.save(f"thumb-{p.name}", ContentFile(p.thumbnail), save=False)
            stored.append(attachment.thumbnail)
        attachment.save()


def _remove_files(files) -> None:
    for f in files:
        try:
            f.storage.delete(f.name)
        except OSError:  # pragma: no cover - a file already gone is fine
            logger.warning("could not remove %s", f.name)


def _audience_label(item: NewsItem) -> str:
    return NewsAudience(item.organisation, item.location, item.group).label


def _log(action: str, item: NewsItem, *, actor, summary: str, changes=None) -> None:
    """A history line about a news item: its title and audience, never its text."""
    log_action(
        action,
        actor=actor,
        organisation=item.organisation_id,
        target=item,
        changes=changes,
        summary=summary % {"title": item.title},
    )


def _after_save(item: NewsItem) -> None:
    """Queue the telling of the families: now, or at the item's time."""
    if item.notified_at is not None:
        return
    from portal.news.tasks import notify_item

    item_id, publish_at = item.pk, item.publish_at
    if publish_at <= clock.now():
        enqueue_after_commit(notify_item, item_id)
    elif notify_item.get_backend().supports_defer:
        enqueue_after_commit(notify_item, item_id, run_after=publish_at)
    # Otherwise `publish_due` (send_notifications, every few minutes) tells them when it is time.


def item_create(
    *,
    user,
    audience: NewsAudience,
    kind: str,
    title: str,
    body: str,
    publish_at: dt.datetime | None = None,
    uploads=(),
    prepared: list[PreparedFile] | None = None,
    form_key: str = "",
) -> NewsItem:
    """Publish an item now (`publish_at` None) or at a later moment. The caller asked the policy
    for `audience`. Sending the same `form_key` again gives the item made the first time."""
    _validate(title=title, body=body, kind=kind, publish_at=publish_at, was_published=False)
    form_key = (form_key or "")[:64]
    if form_key:
        earlier = NewsItem.objects.filter(created_by=user, form_key=form_key).first()
        if earlier is not None:
            return earlier
    prepared = prepared if prepared is not None else prepare_uploads(uploads)
    now = clock.now()
    stored: list = []
    try:
        with transaction.atomic():
            item = NewsItem.objects.create(
                organisation=audience.organisation,
                location=audience.location,
                group=audience.group,
                kind=kind,
                title=title.strip(),
                body=body.strip(),
                publish_at=publish_at or now,
                created_by=user,
                created_at=now,
                updated_at=now,
                form_key=form_key,
            )
            store_attachments(item, prepared, stored)
            _log(
                "news.item.created",
                item,
                actor=user,
                changes={
                    "kind": [None, item.kind],
                    "audience": [None, _audience_label(item)],
                    "publish_at": [None, item.publish_at],
                    "attachments": [None, len(prepared)],
                },
                summary=_("News item “%(title)s” created"),
            )
            _after_save(item)
    except IntegrityError:
        _remove_files(stored)
        earlier = NewsItem.objects.filter(created_by=user, form_key=form_key).first() if form_key else None
        if earlier is None:
            raise
        return earlier
    except Exception:
        _remove_files(stored)
        raise
    return item


def item_update(
    *,
    item: NewsItem,
    user,
    audience: NewsAudience,
    kind: str,
    title: str,
    body: str,
    publish_at: dt.datetime | None = None,
    uploads=(),
    prepared: list[PreparedFile] | None = None,
    remove_ids=(),
) -> NewsItem:
    """Change an item. A published item keeps its moment and is not announced again; a
    scheduled one may move (to now: it appears and is announced)."""
    was_published = item.publish_at <= clock.now()
    _validate(title=title, body=body, kind=kind, publish_at=publish_at, was_published=was_published)
    remove_ids = {int(x) for x in remove_ids}
    keeping = item.attachments.exclude(pk__in=remove_ids).count()
    prepared = prepared if prepared is not None else prepare_uploads(uploads)
    if keeping + len(prepared) > MAX_ATTACHMENTS:
        raise ValidationError(_("At most %(count)d files per item.") % {"count": MAX_ATTACHMENTS})
    stored: list = []
    try:
        with transaction.atomic():
            locked = NewsItem.objects.select_for_update().get(pk=item.pk)
            item.notified_at = locked.notified_at
            before = {
                "kind": item.kind,
                "title": item.title,
                "audience": _audience_label(item),
                "publish_at": item.publish_at,
                "body": item.body,
            }
            item.organisation, item.location, item.group = audience.organisation, audience.location, audience.group
            item.kind, item.title, item.body = kind, title.strip(), body.strip()
            if not was_published:
                item.publish_at = publish_at or clock.now()
            item.updated_at = clock.now()
            item.save()
            removed = list(item.attachments.filter(pk__in=remove_ids))
            old_files = [f for a in removed for f in (a.file, a.thumbnail) if f]
            NewsAttachment.objects.filter(pk__in=[a.pk for a in removed]).delete()
            store_attachments(item, prepared, stored)
            after = {
                "kind": item.kind,
                "title": item.title,
                "audience": _audience_label(item),
                "publish_at": item.publish_at,
                "body": item.body,
            }
            changes = {name: [before[name], after[name]] for name in before if before[name] != after[name]}
            if "body" in changes:
                changes["body"] = ["…", "…"]  # that the text changed, not what it says
            if removed or prepared:
                changes["attachments"] = [keeping + len(removed), keeping + len(prepared)]
            _log("news.item.changed", item, actor=user, changes=changes, summary=_("News item “%(title)s” changed"))
            if not was_published:
                _after_save(item)
            transaction.on_commit(lambda: _remove_files(old_files))
    except Exception:
        _remove_files(stored)
        raise
    return item


def item_delete(*, item: NewsItem, user) -> None:
    """Remove the item and its files (the files after the commit)."""
    files = [f for a in item.attachments.all() for f in (a.file, a.thumbnail) if f]
    with transaction.atomic():
        _log(
            "news.item.deleted",
            item,
            actor=user,
            changes={"audience": [_audience_label(item), None], "attachments": [len(files), None]},
            summary=_("News item “%(title)s” deleted"),
        )
        item.delete()
        transaction.on_commit(lambda: _remove_files(files))


# ---------------------------------------------------------------- telling the families


def summary(body: str) -> str:
    """The first ~200 characters of the text, on a word boundary."""
    return Truncator(" ".join(body.split())).chars(SUMMARY_CHARS)


def item_notify(item_id: int, now: dt.datetime | None = None) -> int | None:
    """Tell every guardian the item reaches, if it is published (at `now`) and was not told
    yet; returns how many were told, or None if it was not this call's to tell. Safe to run
    twice, or at the same time in two workers."""
    from portal.notifications.models import Kind
    from portal.notifications.services import Text, notify

    now = now or clock.now()
    with transaction.atomic():
        claimed = NewsItem.objects.filter(pk=item_id, notified_at__isnull=True, publish_at__lte=now).update(
            notified_at=now
        )
        if claimed != 1:
            return None
        item = NewsItem.objects.select_related("organisation", "location", "group").get(pk=item_id)
        _log(
            "news.item.published",
            item,
            actor=None,
            changes={"notified_at": [None, now]},
            summary=_("News item “%(title)s” published and announced"),
        )
        url = reverse("news:detail", args=[item.pk])
        text = summary(item.body)

        def render(user) -> Text:
            if item.is_newsletter:
                return Text(title=_("Newsletter: %(title)s") % {"title": item.title}, body=text, url=url)
            return Text(title=item.title, body=text, url=url)

        made = notify(users=news_access.news_recipients(item), kind=Kind.NEWS, key=f"news:{item.pk}", render=render)
    return len(made)


def publish_due(now: dt.datetime | None = None) -> str:
    """Tell the families of every item whose time has come and who were not told yet (scheduled
    items without a deferred task, a worker that was down). Run it every few minutes: the lead
    calls it from `manage.py send_notifications`."""
    now = now or clock.now()
    due = list(
        NewsItem.objects.filter(notified_at__isnull=True, publish_at__lte=now)
        .order_by("publish_at", "id")
        .values_list("pk", flat=True)[:500]
    )
    items = told = 0
    for item_id in due:
        try:
            count = item_notify(item_id, now=now)
        except Exception:  # noqa: BLE001 - one broken item must not stop the others; tried again next run
            logger.exception("news item %s could not be announced", item_id)
            continue
        if count is not None:
            items += 1
            told += count
    return f"{items} news items announced to {told} people"
