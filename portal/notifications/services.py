"""Making and sending notifications.

`notify` is the one entry for every source (messages, photos, diary, decisions, news). It
writes the notification in each recipient's language, then plans a delivery per channel as the
person chose: web push to each of their devices, an e-mail now, or a line in the daily summary.
Push and e-mail that would fall in the person's quiet hours wait until those end.

Deliveries are sent by `portal.notifications.tasks.deliver` after the commit. A delivery is
claimed (pending -> sending) in its own transaction before anything leaves the machine and
marked sent afterwards, so a task that runs twice sends nothing twice. A failure puts it back
to pending with a later due time, up to `MAX_ATTEMPTS`; `send_notifications` (cron, every few
minutes) picks up whatever is due: retries, the end of quiet hours, and the daily summaries.
"""

from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.db import IntegrityError, transaction
from django.db.models import F
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks.base import Task

from portal.accounts import kept
from portal.core import clock
from portal.core.tasks import enqueue_after_commit
from portal.notifications import badges
from portal.notifications.models import (
    DEFAULT_EMAIL,
    Delivery,
    EmailChoice,
    Kind,
    Notification,
    Preference,
    PushSubscription,
    QuietHours,
)

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
# After a failure: 1, 5, 15, 60 minutes, then give up.
RETRY_MINUTES = [1, 5, 15, 60]
# A delivery that stayed 'sending' this long was interrupted mid-way. It is not sent again:
# it may have left already, and never twice weighs more than once more.
STUCK_AFTER = dt.timedelta(minutes=15)


@dataclass(frozen=True)
class Text:
    title: str
    body: str
    url: str  # a path within the portal


def preferences_of(user) -> dict[str, tuple[bool, str]]:
    """kind -> (push, e-mail choice), with the defaults filled in."""
    chosen = {p.kind: (p.push, p.email) for p in Preference.objects.filter(user=user)}
    return {kind: chosen.get(kind, (True, DEFAULT_EMAIL[kind])) for kind in Kind.values}


def preferences_save(*, user, choices: dict[str, tuple[bool, str]]) -> None:
    for kind, (push, email) in choices.items():
        if kind not in Kind.values or email not in EmailChoice.values:
            raise ValueError(kind)
        Preference.objects.update_or_create(user=user, kind=kind, defaults={"push": push, "email": email})


DEFAULT_DIGEST_TIME = dt.time(19, 0)


def quiet_hours_problem(start: dt.time | None, end: dt.time | None) -> str:
    """What is wrong with these quiet hours ("" when nothing): both times or neither, and
    not the same time twice."""
    if (start is None) != (end is None):
        return _("Quiet hours need both a start and an end time (or neither).")
    if start is not None and start == end:
        return _("Quiet hours cannot start and end at the same time.")
    return ""


@transaction.atomic
def settings_save(
    *, user, choices: dict[str, tuple[bool, str]], start: dt.time | None, end: dt.time | None, digest: dt.time | None
) -> None:
    """A person's choices per kind, quiet hours and summary time, saved together."""
    problem = quiet_hours_problem(start, end)
    if problem:
        raise ValidationError(problem)
    preferences_save(user=user, choices=choices)
    QuietHours.objects.update_or_create(
        user=user, defaults={"start": start, "end": end, "digest_time": digest or DEFAULT_DIGEST_TIME}
    )


def quiet_hours_of(user) -> QuietHours:
    return QuietHours.objects.filter(user=user).first() or QuietHours(user=user)


def _in_quiet(moment: dt.datetime, quiet: QuietHours) -> bool:
    if quiet.start is None or quiet.end is None or quiet.start == quiet.end:
        return False
    t = moment.timetz().replace(tzinfo=None)
    if quiet.start < quiet.end:
        return quiet.start <= t < quiet.end
    return t >= quiet.start or t < quiet.end  # over midnight, e.g. 21:00-07:00


def after_quiet_hours(moment: dt.datetime, quiet: QuietHours) -> dt.datetime:
    """`moment`, or the end of the quiet hours it falls in (Europe/Amsterdam wall clock)."""
    moment = moment.astimezone(clock.AMSTERDAM)
    start, end = quiet.start, quiet.end
    if start is None or end is None or not _in_quiet(moment, quiet):
        return moment
    day = moment.date()
    if start > end and moment.timetz().replace(tzinfo=None) >= start:
        day += dt.timedelta(days=1)
    return clock.at(day, end)


def next_digest_time(moment: dt.datetime, quiet: QuietHours) -> dt.datetime:
    """The first daily-summary time after `moment`, moved out of quiet hours."""
    moment = moment.astimezone(clock.AMSTERDAM)
    due = clock.at(moment.date(), quiet.digest_time)
    if due <= moment:
        due = clock.at(moment.date() + dt.timedelta(days=1), quiet.digest_time)
    return after_quiet_hours(due, quiet)


def notify(*, users: Iterable, kind: str, key: str, render: Callable[[object], Text]) -> list[Notification]:
    """Tell each user about one event (`key`, e.g. 'diary:12'); an event already told is skipped.

    `render(user)` runs in the user's language and gives the texts. Deliveries go out after
    the surrounding transaction commits. Choices, quiet hours and devices of all recipients
    are read in three queries, whatever their number.
    """
    users = [u for u in users if u.is_active]
    if not users:
        return []
    now = clock.now()
    chosen = {p.user_id: (p.push, p.email) for p in Preference.objects.filter(user__in=users, kind=kind)}
    quiet_of = {q.user_id: q for q in QuietHours.objects.filter(user__in=users)}
    devices: dict[int, list[PushSubscription]] = {}
    for subscription in PushSubscription.objects.filter(user__in=users):
        devices.setdefault(subscription.user_id, []).append(subscription)
    made, deliveries = [], []
    for user in users:
        with translation.override(user.language):
            text = render(user)
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    user=user,
                    kind=kind,
                    key=key,
                    # One line: titles become mail subjects, where a line break is refused.
                    title=" ".join(text.title.split())[:200],
                    body=text.body,
                    url=text.url,
                    created_at=now,
                )
        except IntegrityError:  # this event was told to this person before
            continue
        push, email = chosen.get(user.pk, (True, DEFAULT_EMAIL[kind]))
        deliveries += _planned(notification, push, email, quiet_of.get(user.pk) or QuietHours(), devices, now)
        made.append(notification)
    for delivery in Delivery.objects.bulk_create(deliveries):
        _schedule(delivery)
    kept.changed_after_commit(n.user_id for n in made)  # what they were told of shows on their Today page
    return made


def _planned(notification, push, email, quiet, devices, now) -> list[Delivery]:
    soon = after_quiet_hours(now, quiet)
    planned = []
    if push:
        planned += [
            Delivery(notification=notification, channel=Delivery.Channel.PUSH, subscription=s, due_at=soon)
            for s in devices.get(notification.user_id, [])
        ]
    if email == EmailChoice.INSTANT:
        planned.append(Delivery(notification=notification, channel=Delivery.Channel.EMAIL, due_at=soon))
    elif email == EmailChoice.DIGEST:
        planned.append(
            Delivery(notification=notification, channel=Delivery.Channel.DIGEST, due_at=next_digest_time(now, quiet))
        )
    return planned


def _schedule(delivery: Delivery) -> None:
    """Queue the task that sends this delivery once it is due (after the commit)."""
    from portal.notifications.tasks import deliver, send_digest

    task: Task[[int], Any]
    if delivery.channel == Delivery.Channel.DIGEST:
        task, argument = send_digest, delivery.notification.user_id  # the notification is in memory
    else:
        task, argument = deliver, delivery.pk
    due = delivery.due_at
    if due <= clock.now():
        enqueue_after_commit(task, argument)
    elif task.get_backend().supports_defer:
        enqueue_after_commit(task, argument, run_after=due)
    # Otherwise `send_notifications` sends it when it is due.


# ---------------------------------------------------------------- sending


def _claim(delivery_ids: list[int]) -> list[Delivery]:
    """Mark due, pending deliveries as being sent; only the caller that flipped them sends them.

    The rows are locked (PostgreSQL: rows another worker holds are skipped) and flipped in one
    short transaction, before anything leaves the machine."""
    now = clock.now()
    with transaction.atomic():
        ids = list(
            Delivery.objects.select_for_update(skip_locked=True)
            .filter(pk__in=delivery_ids, state=Delivery.State.PENDING, due_at__lte=now)
            .values_list("pk", flat=True)
        )
        Delivery.objects.filter(pk__in=ids, state=Delivery.State.PENDING).update(
            state=Delivery.State.SENDING, attempts=F("attempts") + 1, claimed_at=now
        )
    return list(Delivery.objects.filter(pk__in=ids).select_related("notification__user", "subscription"))


def _finish(deliveries: list[Delivery], error: str = "") -> None:
    now = clock.now()
    for delivery in deliveries:
        if not error:
            delivery.state, delivery.sent_at, delivery.last_error = Delivery.State.SENT, now, ""
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.state, delivery.last_error = Delivery.State.FAILED, error[:300]
        else:
            delivery.state, delivery.last_error = Delivery.State.PENDING, error[:300]
            delivery.due_at = now + dt.timedelta(minutes=RETRY_MINUTES[min(delivery.attempts, len(RETRY_MINUTES)) - 1])
    Delivery.objects.bulk_update(deliveries, ["state", "sent_at", "last_error", "due_at"])
    if error:
        for delivery in deliveries:
            if delivery.state == Delivery.State.PENDING:
                transaction.on_commit(functools.partial(_schedule, delivery))


def _settings_link() -> str:
    return settings.SITE_URL + reverse("notifications:settings")


def _send_mail(user, subject: str, template: str, context: dict) -> None:
    with translation.override(user.language):
        context = {**context, "user": user, "site_url": settings.SITE_URL, "settings_link": _settings_link()}
        body = render_to_string(template, context)
    message = EmailMultiAlternatives(subject, body, None, [user.email], connection=get_connection())
    message.send()


def deliver_one(delivery_id: int) -> str:
    """Send one push or instant e-mail; returns its state afterwards."""
    claimed = _claim([delivery_id])
    if not claimed:
        return "not due"
    delivery = claimed[0]
    notification = delivery.notification
    try:
        if delivery.channel == Delivery.Channel.EMAIL:
            _send_mail(
                notification.user,
                notification.title,
                "notifications/mail/instant.txt",
                {"notification": notification, "link": settings.SITE_URL + notification.url},
            )
        elif delivery.channel == Delivery.Channel.PUSH:
            from portal.notifications import push

            assert delivery.subscription is not None  # a push delivery goes to one device (deleted with it)
            if push.send(delivery.subscription, notification) == "gone":
                delivery.state, delivery.last_error = Delivery.State.SKIPPED, "device unsubscribed"
                Delivery.objects.filter(pk=delivery.pk).update(state=delivery.state, last_error=delivery.last_error)
                delivery.subscription.delete()
                return delivery.state
    except Exception as exc:  # noqa: BLE001 - every failure is retried later, then given up
        logger.warning("delivery %s failed: %s", delivery.pk, exc)
        _finish([delivery], error=f"{type(exc).__name__}: {exc}" or "error")
        return delivery.state
    _finish([delivery])
    return delivery.state


def send_digest_for(user_id: int) -> int:
    """One e-mail with every summary line that is due for this person; returns how many."""
    ids = list(
        Delivery.objects.filter(
            notification__user_id=user_id,
            channel=Delivery.Channel.DIGEST,
            state=Delivery.State.PENDING,
            due_at__lte=clock.now(),
        ).values_list("pk", flat=True)
    )
    claimed = _claim(ids)
    if not claimed:
        return 0
    user = claimed[0].notification.user
    notifications = sorted((d.notification for d in claimed), key=lambda n: n.created_at)
    with translation.override(user.language):
        from django.utils.translation import ngettext

        subject = ngettext(
            "Ouderportaal: %(count)d new item today", "Ouderportaal: %(count)d new items today", len(notifications)
        ) % {"count": len(notifications)}
    try:
        _send_mail(user, subject, "notifications/mail/digest.txt", {"notifications": notifications})
    except Exception as exc:  # noqa: BLE001
        logger.warning("digest for %s failed: %s", user_id, exc)
        _finish(claimed, error=f"{type(exc).__name__}: {exc}")
        return 0
    _finish(claimed)
    return len(claimed)


def send_due(now: dt.datetime | None = None) -> str:
    """Send everything that is due and was not sent by its own task (retries, quiet hours,
    summaries, a worker that was down). Run every few minutes: `manage.py send_notifications`."""
    now = now or clock.now()
    stuck = Delivery.objects.filter(state=Delivery.State.SENDING, claimed_at__lte=now - STUCK_AFTER).update(
        state=Delivery.State.FAILED, last_error="interrupted while sending; not sent again"
    )
    due = Delivery.objects.filter(state=Delivery.State.PENDING, due_at__lte=now)
    single = list(due.exclude(channel=Delivery.Channel.DIGEST).values_list("pk", flat=True)[:5000])
    sent = summaries = errors = 0
    for pk in single:
        try:
            sent += deliver_one(pk) == Delivery.State.SENT
        except Exception:  # noqa: BLE001 - one broken delivery must not stop the others
            errors += 1
            logger.exception("delivery %s", pk)
    digest_users = set(due.filter(channel=Delivery.Channel.DIGEST).values_list("notification__user_id", flat=True))
    for user_id in digest_users:
        try:
            summaries += bool(send_digest_for(user_id))
        except Exception:  # noqa: BLE001
            errors += 1
            logger.exception("summary for %s", user_id)
    return f"{sent} sent, {summaries} summaries, {stuck} interrupted, {errors} errors"


# ---------------------------------------------------------------- reading


def unread_count(user) -> int:
    from portal.access import notifications as notifications_access

    return notifications_access.visible_notifications(user).filter(read_at__isnull=True).count()


def unread_by_kind(user) -> dict[str, int]:
    """Unread notifications per kind (the badges on the app's tabs), in one query."""
    from django.db.models import Count

    from portal.access import notifications as notifications_access

    rows = (
        notifications_access.visible_notifications(user)
        .filter(read_at__isnull=True)
        .order_by()
        .values_list("kind")
        .annotate(count=Count("id"))
    )
    return {kind: count for kind, count in rows}


def mark_kind_read(user, kind: str) -> int:
    """The person looked at the list of this kind (e.g. the photo feed): its notifications are read."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return _marked(user, Notification.objects.filter(user=user, kind=kind, read_at__isnull=True))


def mark_read(*, user, ids: Iterable[int] | None = None) -> int:
    """Mark these (or all) of the user's notifications read."""
    rows = Notification.objects.filter(user=user, read_at__isnull=True)
    if ids is not None:
        rows = rows.filter(pk__in=list(ids))
    return _marked(user, rows)


def mark_read_for_url(user, path: str) -> int:
    """The person opened the page a notification points to: it is read (one query)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return _marked(user, Notification.objects.filter(user=user, url=path, read_at__isnull=True))


def _marked(user, unread) -> int:
    """Mark these unread notifications read; the person's tab badges count again if any were."""
    count = unread.update(read_at=clock.now())
    if count:
        badges.changed(user)
    return count
