"""The unread counts in the navigation, read only when a page shows them."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject


def badges(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    def notifications() -> int:
        from portal.notifications.services import unread_count

        return unread_count(user)

    def messages() -> int:
        from portal.messaging.selectors import unread_total

        return unread_total(user)

    return {
        "unread_notifications": SimpleLazyObject(notifications),
        "unread_messages": SimpleLazyObject(messages),
    }
