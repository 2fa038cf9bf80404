"""A filled notification list for the demo parent, made from what the demo holds (no mail,
no push: the demo tells nobody anything)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from portal.core import clock
from portal.notifications.models import Kind, Notification


def load_demo_notifications(*, parent, children) -> int:
    from portal.diary.models import DiaryEntry
    from portal.media.models import MediaItem
    from portal.messaging.models import Thread
    from portal.news.models import NewsItem

    now = clock.now()
    rows = []
    with translation.override(parent.language):
        thread = Thread.objects.filter(child__in=children).order_by("-last_message_at").first()
        if thread is not None:
            rows.append(
                (
                    Kind.MESSAGE,
                    f"message-thread:{thread.pk}",
                    _("New message from %(group)s") % {"group": thread.group.name},
                    reverse("messaging:thread", args=[thread.pk]),
                )
            )
        entry = (
            DiaryEntry.objects.filter(child__in=children, state="published", by_guardian=False)
            .order_by("-date")
            .first()
        )
        if entry is not None:
            rows.append(
                (
                    Kind.DIARY,
                    f"diary:{entry.pk}",
                    _("A new page in the diary of %(child)s") % {"child": entry.child.first_name},
                    reverse("diary:child", args=[entry.child_id]),
                )
            )
        photo = MediaItem.objects.filter(tags__child__in=children, state="ready").order_by("-uploaded_at").first()
        tag = photo.tags.filter(child__in=children).first() if photo is not None else None
        if photo is not None and tag is not None:
            rows.append(
                (
                    Kind.PHOTO,
                    f"photo:{photo.pk}",
                    _("New photo of %(names)s") % {"names": tag.child.first_name},
                    reverse("media:detail", args=[photo.pk]),
                )
            )
        news = (
            NewsItem.objects.filter(publish_at__lte=now, organisation=children[0].organisation)
            .order_by("-publish_at")
            .first()
        )
        if news is not None:
            rows.append(
                (
                    Kind.NEWS,
                    f"news:{news.pk}",
                    news.title,
                    reverse("news:detail", args=[news.pk]),
                )
            )
    Notification.objects.bulk_create(
        Notification(
            user=parent,
            kind=kind,
            key=key,
            title=title[:200],
            url=url,
            created_at=now - dt.timedelta(minutes=20 * index),
            read_at=None if index < 2 else now,
        )
        for index, (kind, key, title, url) in enumerate(rows)
    )
    return len(rows)
