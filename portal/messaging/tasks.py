from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _
from django_tasks import task

from portal.core.scoping import tenant_task


@task()
@tenant_task
def notify_messages(message_ids: list[int]) -> None:
    """Staff wrote: tell the guardians of each family, in their own language. The text of the
    message is not in the notification (it goes by e-mail and push); it is read in the portal."""
    from portal.children.models import Guardian
    from portal.messaging.models import Message
    from portal.notifications.models import Kind
    from portal.notifications.services import Text, notify

    rows = Message.objects.filter(pk__in=message_ids, by_staff=True).select_related("thread__child", "thread__group")
    for message in rows:
        thread = message.thread

        def render(user, thread=thread) -> Text:
            title = _("New message from %(group)s") % {"group": thread.group.name}
            if thread.subject:
                body = _("About %(child)s: %(subject)s") % {"child": thread.child.first_name, "subject": thread.subject}
            else:
                body = _("About %(child)s. Read it in the portal.") % {"child": thread.child.first_name}
            return Text(title=title, body=body, url=reverse("messaging:thread", args=[thread.pk]))

        guardians = [
            g.user
            for g in Guardian.objects.filter(child_id=thread.child_id).select_related("user")
            if g.user_id != message.author_id
        ]
        notify(users=guardians, kind=Kind.MESSAGE, key=f"message:{message.pk}", render=render)
