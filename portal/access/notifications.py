"""Notifications and push devices: a person's own, and nobody else's."""

from __future__ import annotations

from django.db.models import QuerySet
from django.http import Http404

from portal.notifications.models import Notification, PushSubscription


def visible_notifications(user) -> QuerySet[Notification]:
    """A person's own notifications; nobody sees another's."""
    if user is None or not user.is_authenticated:
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def notification_for_user(user, notification_id: int) -> Notification:
    """One of the user's own notifications; anyone else's is a 404."""
    try:
        notification = visible_notifications(user).filter(pk=notification_id).first()
    except (ValueError, TypeError, OverflowError):
        notification = None
    if notification is None:
        raise Http404
    return notification


def visible_push_devices(user) -> QuerySet[PushSubscription]:
    """The devices that receive this person's push messages; nobody sees or removes another's."""
    if user is None or not user.is_authenticated:
        return PushSubscription.objects.none()
    return PushSubscription.objects.filter(user=user)
