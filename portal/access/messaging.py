"""Messages: a conversation (thread) is between one family and one group.

The family's guardians and the staff of the group read it; nobody else. Planners and admins do
not read messages: they get a 403 on a group inbox of their own organisation and a 404 on a
thread, like everyone else who may not read it. Staff read the conversations of the children
placed on their group now or later; when a child leaves, the conversations leave the group's
inbox and the family keeps them. See docs/messages.md.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from portal.access.organisations import staff_group_for_user
from portal.access.roles import Decision, is_guardian_of, roles_of
from portal.children.models import Child, Placement
from portal.children.selectors import children_of_group, groups_of_now
from portal.core import clock
from portal.messaging.models import Attachment, Thread
from portal.organisations.models import Group


def may_use_messages(user) -> bool:
    """Messages are for guardians and group staff."""
    roles = roles_of(user)
    return roles.is_guardian or roles.is_group_staff


def visible_threads(user) -> QuerySet[Thread]:
    """Threads the user may read: those of their children (as guardian), and as staff those of
    their groups with a child placed on the group now or later."""
    roles = roles_of(user)
    if not (roles.guardian_child_ids or roles.staff_group_ids):
        return Thread.objects.none()
    placed = Placement.objects.filter(child_id=OuterRef("child_id"), group_id=OuterRef("group_id")).current_or_upcoming(
        clock.today()
    )
    return Thread.objects.filter(organisation_id__in=roles.organisation_ids).filter(
        Q(child_id__in=roles.guardian_child_ids) | (Q(group_id__in=roles.staff_group_ids) & Exists(placed))
    )


def family_threads(user) -> QuerySet[Thread]:
    """The threads the user reads as a guardian (their own family's)."""
    return visible_threads(user).filter(child_id__in=roles_of(user).guardian_child_ids)


def group_threads(user, group_ids) -> QuerySet[Thread]:
    """The threads of the given groups that the user reads as their staff (other groups are
    left out); all their groups when `group_ids` is None."""
    allowed = roles_of(user).staff_group_ids
    chosen = allowed if group_ids is None else [g for g in group_ids if g in allowed]
    return visible_threads(user).filter(group_id__in=chosen)


def unread_counted_q(user) -> Q:
    """Which messages (relative to Message) count as unread for this user, within threads they
    read: staff count only the families' messages in their groups' threads (a colleague's
    reply, or a message staff sent to every family, is not something to act on); guardians
    count every message of their family's threads that they did not write."""
    roles = roles_of(user)
    return (
        Q(thread__child_id__in=roles.guardian_child_ids) | Q(thread__group_id__in=roles.staff_group_ids, by_staff=False)
    ) & ~Q(author_id=user.pk)


def thread_for_user(user, thread_id: int) -> Thread:
    """A thread the user may read; anything else (another family's, another organisation's,
    a planner or admin asking) is a 404."""
    try:
        return visible_threads(user).select_related("child", "group__location").get(pk=thread_id)
    except (Thread.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def is_thread_staff(user, thread: Thread) -> bool:
    """Staff of the thread's group answer it, mark it handled and write to the family."""
    return thread.group_id in roles_of(user).staff_group_ids


def thread_for_staff(user, thread_id: int) -> Thread:
    """A thread to mark handled or reopen: not readable is a 404, read as a guardian a 403."""
    thread = thread_for_user(user, thread_id)
    if not is_thread_staff(user, thread):
        raise PermissionDenied
    return thread


def inbox_group_for_user(user, group_id: int) -> Group:
    """A group's inbox is for its staff: another organisation's group is a 404, a group of the
    user's own organisation without working on it (guardians, planners, admins) a 403."""
    return staff_group_for_user(user, group_id)


@dataclass(frozen=True)
class MessagingAccess:
    """How a user takes part in messages: `family` reads and starts their family's
    conversations (as a guardian); `staff` answers the inboxes of their groups."""

    family: bool
    staff: bool


def require_messaging_user(user) -> MessagingAccess:
    """Messages are for guardians and group staff; anyone else (planners, admins) gets a 403."""
    if not may_use_messages(user):
        raise PermissionDenied
    roles = roles_of(user)
    return MessagingAccess(family=roles.is_guardian, staff=roles.is_group_staff)


def require_messaging_guardian(user) -> MessagingAccess:
    """Starting a conversation about a child is for the child's guardians: staff write from
    their group's inbox; anyone else gets a 403."""
    access = require_messaging_user(user)
    if not access.family:
        raise PermissionDenied
    return access


def message_children_for_guardian(user) -> list[tuple[Child, Group]]:
    """The user's children that can be written about, each with the group it goes to."""
    groups = groups_of_now(roles_of(user).guardian_child_ids, clock.today())
    children = Child.objects.filter(id__in=groups.keys()).order_by("first_name", "id")
    return [(c, groups[c.pk]) for c in children]


def message_child_for_guardian(user, child_id) -> tuple[Child, Group | None]:
    """One of the user's own children (anyone else's is a 404), with the group to write to
    (None when the child has no current or upcoming placement)."""
    try:
        child_id = int(child_id)
    except (TypeError, ValueError, OverflowError):
        raise Http404 from None
    if not is_guardian_of(user, child_id):
        raise Http404
    child = Child.objects.get(pk=child_id)
    return child, groups_of_now([child_id], clock.today()).get(child_id)


def message_children_of_group(group: Group) -> QuerySet[Child]:
    """The children staff may write to the family of: those with a current or upcoming
    placement on the group."""
    return children_of_group(group, clock.today())


def message_child_for_staff(group: Group, child_id) -> Child:
    """A child of the group (current or upcoming); any other child is a 404."""
    try:
        return message_children_of_group(group).get(pk=child_id)
    except (Child.DoesNotExist, ValueError, TypeError, OverflowError):
        raise Http404 from None


def message_reply_decision(user, thread: Thread) -> Decision:
    """Staff of the group always answer. A guardian answers while the child still has a current
    or upcoming placement on the thread's group; after a move or departure the conversation with
    that group is closed for them, and a new one goes to the child's group of now."""
    if is_thread_staff(user, thread):
        return Decision(True)
    if not is_guardian_of(user, thread.child_id):
        return Decision(False, _("You cannot reply in this conversation."))
    if thread.child.placements.filter(group_id=thread.group_id).current_or_upcoming(clock.today()).exists():
        return Decision(True)
    return Decision(
        False,
        _(
            "%(child)s is no longer on group %(group)s, so this conversation is closed. "
            "Start a new conversation to write to the group of now."
        )
        % {"child": thread.child.first_name, "group": thread.group.name},
    )


def attachment_for_user(user, attachment_id: int) -> Attachment:
    """A file of a message in a thread the user may read; otherwise a 404."""
    try:
        attachment = Attachment.objects.select_related("message").filter(pk=attachment_id).first()
    except (ValueError, TypeError, OverflowError):
        attachment = None
    if attachment is None:
        raise Http404
    thread_for_user(user, attachment.message.thread_id)
    return attachment
