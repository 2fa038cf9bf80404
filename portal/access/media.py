"""Photos and videos: a photo is visible only to the families of the children tagged on it
(while their consent holds) and to the staff of the group it was shared in. Nobody else: not
planners, not admins, not the families of other children."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.http import Http404

from portal.access.roles import roles_of
from portal.media.models import MediaItem, MediaTag


def visible_media(user) -> QuerySet[MediaItem]:
    """Ready photos and videos the user may see: those on which one of their children is tagged
    (not hidden because consent was withdrawn), and those of the groups they work on."""
    roles = roles_of(user)
    return MediaItem.objects.filter(state=MediaItem.State.READY).filter(
        _family_q(roles.guardian_child_ids) | Q(group_id__in=roles.staff_group_ids)
    )


def _family_q(child_ids) -> Q:
    """What the families of these children see: the items one of them is tagged on, unless
    hidden because a child's photo consent was withdrawn."""
    return Q(id__in=MediaTag.objects.filter(child_id__in=child_ids).values("media_id"), hidden_for_consent=False)


def family_media_of_child(child) -> QuerySet[MediaItem]:
    """The ready photos and videos the child's family sees of the child, also those with other
    children on them (the family was allowed to see them): what their archive holds."""
    return MediaItem.objects.filter(_family_q([child.pk]), state=MediaItem.State.READY)


def media_for_user(user, media_id: int) -> MediaItem:
    """A ready photo or video the user may see; anything else is a 404."""
    try:
        item = visible_media(user).filter(pk=media_id).first()
    except (ValueError, TypeError, OverflowError):
        item = None
    if item is None:
        raise Http404
    return item


def media_for_staff(user, media_id: int) -> MediaItem:
    """A photo or video of one of the user's groups, to tag or remove (any state)."""
    item = MediaItem.objects.filter(pk=media_id, group_id__in=roles_of(user).staff_group_ids).first()
    if item is None:
        raise Http404
    return item


def visible_tags(user, item: MediaItem, tags=None) -> list[MediaTag]:
    """The tags of `item` that the user may see named: all of them for the group's staff, only
    their own children for a family (other families' children stay anonymous). `tags`
    defaults to the item's (prefetched) tags."""
    roles = roles_of(user)
    staff = item.group_id in roles.staff_group_ids
    rows = item.tags.all() if tags is None else tags
    return [t for t in rows if staff or t.child_id in roles.guardian_child_ids]
