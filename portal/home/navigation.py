"""The app's navigation: which tabs a person sees, in which order, with which unread counts.

On a phone the tabs are a bar at the bottom of the screen (the pages stay a normal site on a
desktop, where the same tabs sit in the top bar). A guardian gets the five daily places
(Today, Photos, Diary, Messages, Planning); group staff, planners and admins get the places
of their work. Account, security, language and logout are in one menu, not in the tabs.

Everything here is read lazily: a page that does not render the navigation asks nothing."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Tab:
    key: str  # also the name of its icon ({% icon %} in portal.core.templatetags.portal)
    label: str
    url: str
    badge: int = 0
    namespaces: tuple[str, ...] = ()
    url_names: tuple[str, ...] = ()


def _current(request, tab: Tab) -> bool:
    if request.path == tab.url:
        return True
    match = getattr(request, "resolver_match", None)
    if match is None:
        return False
    if f"{match.namespace}:{match.url_name}" in tab.url_names:
        return True
    return match.namespace in tab.namespaces


def tabs_for(user, roles: set[str] | frozenset[str], unread_messages: int, unread_by_kind: dict[str, int]) -> list[Tab]:
    """The tabs of a person with these roles. At most five: a phone's bar has room for five."""
    today = Tab(
        "today", _("Today"), reverse("home:home"), url_names=("home:home", "home:child", "home:group", "home:location")
    )
    if "guardian" in roles:
        return [
            today,
            Tab("photos", _("Photos"), reverse("media:feed"), unread_by_kind.get("photo", 0), ("media",)),
            Tab(
                "diary",
                _("Diary"),
                reverse("home:section", args=["diary"]),
                unread_by_kind.get("diary", 0),
                ("diary",),
            ),
            Tab("messages", _("Messages"), reverse("messaging:inbox"), unread_messages, ("messaging",)),
            Tab(
                "planning",
                _("Planning"),
                reverse("home:section", args=["planning"]),
                unread_by_kind.get("decision", 0),
                ("planning",),
            ),
        ]
    tabs = [today]
    if "group_staff" in roles:
        tabs += [
            Tab("photos", _("Photos"), reverse("home:section", args=["photos"]), namespaces=("media",)),
            Tab("diary", _("Diary"), reverse("home:section", args=["diary"]), namespaces=("diary",)),
            Tab("messages", _("Messages"), reverse("messaging:inbox"), unread_messages, ("messaging",)),
        ]
    if "planner" in roles:
        tabs.append(Tab("requests", _("Requests"), reverse("planning:queue"), namespaces=("planning",)))
    if "organisation_admin" in roles and len(tabs) < 5:
        tabs.append(Tab("manage", _("Manage"), reverse("home:section", args=["manage"]), namespaces=("backoffice",)))
    if roles - {"guardian"} and len(tabs) < 5:
        tabs.append(Tab("news", _("News"), reverse("news:list"), namespaces=("news",)))
    return tabs[:5] if len(tabs) > 1 else []


def navigation(request) -> dict:
    """Context processor: `nav_tabs` (with `current` set) for the tab bar, and
    `nav_notifications`, the unread count on the bell (from the same query as the tabs' badges)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}

    built: dict = {}

    def build() -> dict:
        if not built:
            from portal.access.roles import role_names
            from portal.notifications import badges

            roles = set(role_names(user))
            unread_messages, by_kind = badges.counts(request, user)
            tabs = tabs_for(user, roles, unread_messages, by_kind) if roles else []
            if getattr(request, "tablet", None) is not None:
                from portal.access.tablet import path_opens_on_tablet

                tabs = [tab for tab in tabs if path_opens_on_tablet(tab.url)]  # the group's work only
            built["tabs"] = [{"tab": tab, "current": _current(request, tab)} for tab in tabs]
            built["notifications"] = sum(by_kind.values())
        return built

    return {
        "nav_tabs": SimpleLazyObject(lambda: build()["tabs"]),
        "nav_notifications": SimpleLazyObject(lambda: build()["notifications"]),
    }
