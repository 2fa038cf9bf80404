"""Reads of messages: lists with unread counts, search, and the unread total of the navigation.

Unread for one person: messages after their read mark in a thread they may read, not written
by themselves. Staff count only the families' messages in their groups' threads (a colleague's
reply, or a message staff sent to every family, is not something to act on); guardians count
every message they did not write (the group's and the other guardian's). Each list and the total
is one query, however many threads and messages there are.
"""

from __future__ import annotations

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Left
from django.utils.translation import gettext as _

from portal.access import messaging as messaging_access
from portal.access import organisations as organisations_access
from portal.core import bounds
from portal.messaging.models import Message, QuickMessage, ReadMark, Thread

EXCERPT_LENGTH = 160


def unread_total(user) -> int:
    """Unread messages of the user in every thread they may read (one query)."""
    if not messaging_access.may_use_messages(user):
        return 0
    mark = ReadMark.objects.filter(thread_id=OuterRef("thread_id"), user_id=user.pk).values("last_read_message_id")[:1]
    return (
        Message.objects.filter(thread_id__in=messaging_access.visible_threads(user).values("pk"))
        .filter(messaging_access.unread_counted_q(user))
        .filter(id__gt=Coalesce(Subquery(mark, output_field=IntegerField()), Value(0)))
        .count()
    )


def with_counts(user, threads: QuerySet[Thread], *, totals: bool = True) -> QuerySet[Thread]:
    """Threads with `unread` (for this user) and `excerpt` (the newest message's first
    characters), with `totals` also `message_count` and `last_by_staff`, the child and the
    group, in one query."""
    mark = ReadMark.objects.filter(thread_id=OuterRef(OuterRef("pk")), user_id=user.pk).values("last_read_message_id")[
        :1
    ]
    unread = (
        Message.objects.filter(thread_id=OuterRef("pk"))
        .filter(messaging_access.unread_counted_q(user))
        .filter(id__gt=Coalesce(Subquery(mark, output_field=IntegerField()), Value(0)))
        .order_by()
        .values("thread_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    newest = Message.objects.filter(thread_id=OuterRef("pk")).order_by("-id")
    threads = threads.select_related("child", "group__location").annotate(
        unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
        excerpt=Subquery(newest.annotate(short=Left("body", EXCERPT_LENGTH)).values("short")[:1]),
    )
    if not totals:
        return threads
    total = (
        Message.objects.filter(thread_id=OuterRef("pk"))
        .order_by()
        .values("thread_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return threads.annotate(
        message_count=Coalesce(Subquery(total, output_field=IntegerField()), Value(0)),
        last_by_staff=Subquery(newest.values("by_staff")[:1]),
    )


def guardian_threads(user, *, totals: bool = True) -> QuerySet[Thread]:
    """The guardian's conversations, with every group, newest first (see `with_counts`)."""
    threads = messaging_access.family_threads(user)
    return with_counts(user, threads, totals=totals).order_by("-last_message_at", "-id")


def search(threads: QuerySet[Thread], q: str) -> QuerySet[Thread]:
    """Threads whose subject, child's name or any message contains `q` (any case)."""
    words = bounds.search_words(q)
    if not words:
        return threads
    searched = threads.values("pk")  # only the messages of these threads are searched
    for word in words:
        threads = threads.filter(
            Q(subject__icontains=word)
            | Q(child__first_name__icontains=word)
            | Q(child__last_name__icontains=word)
            | Q(id__in=Message.objects.filter(thread_id__in=searched, body__icontains=word).values("thread_id"))
        )
    return threads


STATES = ("open", "handled", "all")


def staff_threads(user, *, group_ids, state: str = "open", q: str = "") -> QuerySet[Thread]:
    """Threads of the given groups (only those the user works on; all of them when
    `group_ids` is None), filtered and searched."""
    threads = messaging_access.group_threads(user, group_ids)
    if state == "open":
        threads = threads.filter(handled_at__isnull=True)
    elif state == "handled":
        threads = threads.filter(handled_at__isnull=False)
    return with_counts(user, search(threads, q)).order_by("-last_message_at", "-id")


def inbox_groups(user) -> list:
    """The user's groups, each with `unread` (family messages not yet read) and `open_count`."""
    mark = ReadMark.objects.filter(thread_id=OuterRef("thread_id"), user_id=user.pk).values("last_read_message_id")[:1]
    unread = (
        Message.objects.filter(thread__group_id=OuterRef("pk"), by_staff=False)
        .exclude(author_id=user.pk)
        .filter(id__gt=Coalesce(Subquery(mark, output_field=IntegerField()), Value(0)))
        .order_by()
        .values("thread__group_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    open_count = (
        Thread.objects.filter(group_id=OuterRef("pk"), handled_at__isnull=True)
        .order_by()
        .values("group_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return list(
        organisations_access.staff_groups(user)
        .select_related("location")
        .annotate(
            unread=Coalesce(Subquery(unread, output_field=IntegerField()), Value(0)),
            open_count=Coalesce(Subquery(open_count, output_field=IntegerField()), Value(0)),
        )
        .order_by("location__name", "name")
    )


def thread_messages(thread: Thread, *, before: int | None = None, limit: int = 30) -> tuple[list[Message], int | None]:
    """The newest `limit` messages (older than message id `before`), oldest first, with their
    attachments and authors; and the id to ask for the page before, if there is one."""
    from portal.accounts.identity import name_of

    rows = (
        thread.messages.select_related("author")
        .annotate(author_name=name_of("author", thread.organisation_id))
        .prefetch_related("attachments")
        .order_by("-id")
    )
    if before:
        rows = rows.filter(id__lt=before)
    page: list[Message] = list(rows[: limit + 1])
    older = page[limit - 1].pk if len(page) > limit else None
    page = page[:limit]
    page.reverse()
    return page, older


def unread_in_thread(user, thread: Thread) -> int:
    mark = (
        ReadMark.objects.filter(thread=thread, user_id=user.pk).values_list("last_read_message_id", flat=True).first()
    )
    return thread.messages.filter(messaging_access.unread_counted_q(user)).filter(id__gt=mark or 0).count()


def read_mark_id(user, thread: Thread) -> int:
    """The id of the last message the user has read (0: nothing yet); newer ones are new."""
    return (
        ReadMark.objects.filter(thread=thread, user_id=user.pk).values_list("last_read_message_id", flat=True).first()
        or 0
    )


def default_quick_messages() -> list[str]:
    """What the portal offers before an organisation writes its own, in the reader's language."""
    return [
        _("is picked up today by …"),
        _("comes later today"),
        _("is ill and stays at home today"),
        _("is picked up earlier today"),
    ]


def own_quick_messages(organisation_id: int) -> list[str]:
    """The quick messages the organisation wrote itself (none: the defaults apply)."""
    return list(QuickMessage.objects.filter(organisation_id=organisation_id).values_list("text", flat=True))


def quick_messages(organisation_id: int) -> list[str]:
    """The organisation's quick messages, or the defaults."""
    return own_quick_messages(organisation_id) or default_quick_messages()
