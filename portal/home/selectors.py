"""Reads for the guardian's "Today" page: per child today's diary page (or that it is not
written yet), today's new photos, the latest message, news not yet read, the coming requests
and their state, and the phone number of each location for urgent matters.

The whole page has one query budget (tests/test_home.py): every part is one query however many
children, photos, messages or requests there are."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q

from portal.access import children as children_access
from portal.access import media as media_access
from portal.access import notifications as notifications_access
from portal.access import planning as planning_access
from portal.children.selectors import children_with_placements, departure_of
from portal.core import clock
from portal.diary.models import DiaryEntry
from portal.media.models import MediaItem
from portal.messaging.selectors import guardian_threads
from portal.notifications.models import Kind, Notification
from portal.planning.models import PlanningRequest

TODAY_PHOTOS = 6
UPCOMING_REQUESTS = 5
RECENT_DECISION_DAYS = 7


@dataclass
class ChildToday:
    child: object
    placements: list
    diary: DiaryEntry | None
    planning: object  # the access policy's Decision on planning requests
    starts_on: dt.date | None = None  # a placement that has not started yet
    departure: object | None = None  # the child leaves: the family can take everything along


@dataclass
class GuardianToday:
    children: list[ChildToday] = field(default_factory=list)
    photos: list[MediaItem] = field(default_factory=list)
    photo_count: int = 0
    latest_thread: object | None = None
    news: list[Notification] = field(default_factory=list)
    requests: list[PlanningRequest] = field(default_factory=list)
    locations: list = field(default_factory=list)


def guardian_today(user, today: dt.date) -> GuardianToday:
    children = children_with_placements(
        children_access.guardian_children(user).select_related("organisation"), today, contacts=False
    )
    child_ids = [c.pk for c in children]
    diary: dict[int, DiaryEntry] = {}
    pages = DiaryEntry.objects.filter(
        child_id__in=child_ids, date=today, state=DiaryEntry.State.PUBLISHED, by_guardian=False
    ).order_by("published_at", "id")
    for entry in pages:
        diary.setdefault(entry.child_id, entry)
    result = GuardianToday()
    locations: dict[int, object] = {}
    for child in children:
        placements = list(child.active_placements)
        upcoming = [p.start_date for p in placements if p.start_date > today]
        started = [p for p in placements if p.start_date <= today]
        for placement in started or placements:
            locations.setdefault(placement.group.location_id, placement.group.location)
        result.children.append(
            ChildToday(
                child=child,
                placements=placements,
                diary=diary.get(child.pk),
                planning=planning_access.planning_request_decision(user, child),
                starts_on=min(upcoming) if upcoming and not started else None,
                departure=departure_of(child),
            )
        )
    result.locations = list(locations.values())

    start = clock.at(today, dt.time(0, 0))
    photos = list(media_access.visible_media(user).filter(uploaded_at__gte=start).order_by("-id")[: TODAY_PHOTOS + 1])
    result.photos = photos[:TODAY_PHOTOS]
    result.photo_count = len(photos)
    result.latest_thread = guardian_threads(user, totals=False).first()  # unread and excerpt only
    result.news = list(
        notifications_access.visible_notifications(user)
        .filter(kind=Kind.NEWS, read_at__isnull=True)
        .order_by("-created_at", "-id")[:3]
    )
    recent = clock.now() - dt.timedelta(days=RECENT_DECISION_DAYS)
    result.requests = list(
        PlanningRequest.objects.filter(child_id__in=child_ids, date__gte=today)
        .filter(Q(state=PlanningRequest.State.PENDING) | Q(decided_at__gte=recent))
        .exclude(state=PlanningRequest.State.WITHDRAWN)
        .select_related("child")
        .order_by("date", "id")[:UPCOMING_REQUESTS]
    )
    return result
