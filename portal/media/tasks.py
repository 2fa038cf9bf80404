from django_tasks import task

from portal.core.recovery import on_give_up
from portal.core.scoping import tenant_task


@task()
@tenant_task
def process_media(media_id: int) -> None:
    from portal.media.services import media_process

    media_process(media_id)


def _media_waiting(before):
    from portal.media.services import media_waiting

    return media_waiting(before)


@on_give_up(process_media, waiting=_media_waiting)
def _media_given_up(media_id: int, reason: str) -> None:
    from portal.media.services import media_give_up

    media_give_up(media_id, reason)


@task()
@tenant_task
def notify_tagged(media_id: int) -> None:
    """Tell the guardians of the children on a ready photo or video; each family hears of
    each photo once, also when a child is tagged later."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from portal.access import media as media_access
    from portal.accounts.models import User
    from portal.children.models import Guardian
    from portal.media.models import MediaItem, MediaTag
    from portal.notifications.models import Kind
    from portal.notifications.services import Text, notify

    item = MediaItem.objects.filter(pk=media_id, state=MediaItem.State.READY, hidden_for_consent=False).first()
    if item is None:
        return
    tagged = MediaTag.objects.filter(media=item).values("child_id")
    users: dict[int, User] = {}
    by_user: dict[int, list[str]] = {}
    for guardian in Guardian.objects.filter(child_id__in=tagged).select_related("user", "child"):
        users[guardian.user_id] = guardian.user
        by_user.setdefault(guardian.user_id, []).append(guardian.child.first_name)

    def render(user) -> Text:
        names = ", ".join(sorted(set(by_user[user.pk])))
        if item.kind == MediaItem.Kind.VIDEO:
            title = _("New video of %(names)s") % {"names": names}
        else:
            title = _("New photo of %(names)s") % {"names": names}
        return Text(title=title, body=item.caption, url=reverse("media:detail", args=[item.pk]))

    # Only people who may see it now (the policy decides; a tag alone is not enough).
    visible = [u for u in users.values() if media_access.visible_media(u).filter(pk=item.pk).exists()]
    notify(users=visible, kind=Kind.PHOTO, key=f"photo:{item.pk}", render=render)
