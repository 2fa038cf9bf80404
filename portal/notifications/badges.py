"""The unread counts on the app's tabs and bell, counted at most every BADGE_SECONDS per login.

Every page of a guardian or a staff member shows them, and counting them (unread messages in
every conversation the person may read, unread notifications per kind) costs a quarter of a
light page. They are kept in the session (read on every request already, shared by every web
process) with the moment they were counted and whose they are:

- the person's own reading shows at once: the services that mark messages or notifications
  read call `changed(user)`, and the page that follows counts again;
- what others do (a new message, a new photo) shows within BADGE_SECONDS, or at once on the
  notifications page and the lists themselves, which always count afresh;
- on a group tablet the session is shared, so the counts name the person they belong to.
"""

from __future__ import annotations

from portal.core import clock

BADGE_SECONDS = 20
SESSION_KEY = "badges"


def changed(user) -> None:
    """The person read something (or it was marked read for them) in this request: their counts
    are counted again when a page shows them."""
    from portal.accounts import kept

    if user is not None and getattr(user, "is_authenticated", False):
        user._badges_changed = True
        kept.changed_in_this_request(user)  # the Today page shows the unread too


def counts(request, user) -> tuple[int, dict[str, int]]:
    """(unread messages, unread notifications per kind) of `user`, the person of this request."""
    from portal.messaging.selectors import unread_total
    from portal.notifications.services import unread_by_kind

    session = getattr(request, "session", None)
    now = clock.now().timestamp()
    kept = session.get(SESSION_KEY) if session is not None else None
    if (
        isinstance(kept, dict)
        and kept.get("user") == user.pk
        and 0 <= now - kept.get("at", 0) < BADGE_SECONDS
        and not getattr(user, "_badges_changed", False)
    ):
        return kept["messages"], kept["kinds"]
    messages, kinds = unread_total(user), unread_by_kind(user)
    user._badges_changed = False  # counted after the change: these counts may be kept
    if session is not None and BADGE_SECONDS > 0:
        session[SESSION_KEY] = {"user": user.pk, "at": now, "messages": messages, "kinds": kinds}
    return messages, kinds


class ForgetChangedBadgesMiddleware:
    """After a request that marked something read, the kept counts go, also when the request
    shows no page (a form that marks everything read and redirects)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from portal.accounts.kept import person_of

        response = self.get_response(request)
        person = person_of(request)
        if getattr(person, "_badges_changed", False) and hasattr(request, "session"):
            request.session.pop(SESSION_KEY, None)
        return response
