"""Pages of messages: the guardian's conversations, a group's inbox (also on the group tablet),
one conversation, writing, and the files. Every page asks `portal.access.messaging` first."""

from __future__ import annotations

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from portal.access import messaging as messaging_access
from portal.access import roles as roles_access
from portal.access import tenancy as tenancy_access
from portal.core import bounds
from portal.messaging import selectors, services
from portal.messaging.files import attachment_response
from portal.messaging.models import BODY_MAX_LENGTH, QUICK_MESSAGE_MAX_LENGTH, QUICK_MESSAGES_MAX, SUBJECT_MAX_LENGTH
from portal.organisations.models import Location

PAGE_SIZE = 20


def _form_context(request) -> dict:
    """What every writing form needs: the idempotency key (kept when the form comes back with
    an error, so that sending it again still makes one message) and the limits."""
    key = services.clean_key(request.POST.get("key")) if request.method == "POST" else ""
    return {
        "key": key or uuid.uuid4().hex,
        "body_max": BODY_MAX_LENGTH,
        "subject_max": SUBJECT_MAX_LENGTH,
        "max_files": services.MAX_ATTACHMENTS,
        "max_pdf_mb": services.pdf_max_bytes() // (1024 * 1024),
        "max_photo_mb": settings.MEDIA_MAX_PHOTO_BYTES // (1024 * 1024),
    }


def _locations(groups) -> list:
    """The locations of these groups, once each, for the 'urgent: call' notice."""
    seen: dict[int, Location] = {}
    for group in groups:
        seen.setdefault(group.location_id, group.location)
    return list(seen.values())


def _error(exc: ValidationError) -> str:
    return " ".join(exc.messages)


@login_required
def inbox(request):
    """Guardians: their conversations. Staff: their group's inbox (or a list of their groups)."""
    taking_part = messaging_access.require_messaging_user(request.user)
    groups = selectors.inbox_groups(request.user) if taking_part.staff else []
    if not taking_part.family:
        if len(groups) == 1:
            return redirect("messaging:group_inbox", group_id=groups[0].pk)
        return render(request, "messaging/groups.html", {"groups": groups})
    page = Paginator(selectors.guardian_threads(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    writable = messaging_access.message_children_for_guardian(request.user)
    return render(
        request,
        "messaging/inbox.html",
        {
            "page": page,
            "groups": groups,
            "can_write": bool(writable),
            "locations": _locations(g for _c, g in writable),
        },
    )


@login_required
def new(request):
    """A guardian starts a conversation with the group of one of their children."""
    messaging_access.require_messaging_guardian(request.user)
    choices = messaging_access.message_children_for_guardian(request.user)
    error = ""
    chosen = request.POST.get("child") or request.GET.get("child") or ""
    if request.method == "POST":
        if not chosen and len(choices) == 1:
            chosen = str(choices[0][0].pk)
        if not chosen:
            error = _("Choose the child this message is about.")
        else:
            child, group = messaging_access.message_child_for_guardian(request.user, chosen)
            if group is None:
                error = _("%(child)s has no current or upcoming placement, so there is no group to write to.") % {
                    "child": child.first_name
                }
            else:
                try:
                    thread = services.thread_start(
                        author=request.user,
                        child=child,
                        group=group,
                        subject=request.POST.get("subject", ""),
                        body=request.POST.get("body", ""),
                        files=request.FILES.getlist("files"),
                        key=request.POST.get("key", ""),
                        by_staff=False,
                    )
                except ValidationError as exc:
                    error = _error(exc)
                else:
                    messages.success(request, _("Your message has been sent to %(group)s.") % {"group": group.name})
                    return redirect("messaging:thread", thread_id=thread.pk)
    return render(
        request,
        "messaging/new.html",
        {
            "choices": choices,
            "chosen": chosen,
            "error": error,
            "subject": request.POST.get("subject", ""),
            "body": request.POST.get("body", ""),
            "locations": _locations(g for _c, g in choices),
            **_form_context(request),
        },
        status=400 if error else 200,
    )


@login_required
def thread(request, thread_id: int):
    """One conversation. Opening it marks it read; posting to it replies."""
    thread = messaging_access.thread_for_user(request.user, thread_id)
    staff = messaging_access.is_thread_staff(request.user, thread)
    decision = messaging_access.message_reply_decision(request.user, thread)
    error, status = "", 200
    if request.method == "POST":
        if not decision:
            error, status = decision.message, 403
        else:
            try:
                message = services.message_add(
                    author=request.user,
                    thread=thread,
                    body=request.POST.get("body", ""),
                    files=request.FILES.getlist("files"),
                    key=request.POST.get("key", ""),
                    by_staff=staff,
                )
            except ValidationError as exc:
                error, status = _error(exc), 400
            else:
                return redirect(reverse("messaging:thread", args=[thread.pk]) + f"#m{message.pk}")
    rows, older = selectors.thread_messages(thread, before=bounds.parse_id(request.GET.get("before")))
    read_up_to = selectors.read_mark_id(request.user, thread)
    if request.method == "GET":
        services.thread_mark_read(user=request.user, thread=thread)
    quick = (
        []
        if staff
        else [f"{thread.child.first_name} {text}" for text in selectors.quick_messages(thread.organisation_id)]
    )
    body = request.POST.get("body", "") if error else ""
    chosen = request.GET.get("quick", "")
    if not body and chosen.isdigit() and int(chosen) < len(quick):
        body = quick[int(chosen)].rstrip("… ") + " "  # without JavaScript: the page comes back with it typed
    return render(
        request,
        "messaging/thread.html",
        {
            "thread": thread,
            "rows": rows,
            "older": older,
            "read_up_to": read_up_to,
            "staff": staff,
            "decision": decision,
            "error": error,
            "body": body,
            "quick_messages": quick,
            "locations": [thread.group.location],
            **_form_context(request),
        },
        status=status,
    )


@login_required
@require_POST
def handled(request, thread_id: int):
    """Staff mark a conversation handled, or open it again."""
    thread = messaging_access.thread_for_staff(request.user, thread_id)
    wanted = request.POST.get("handled")
    make_handled = (wanted == "1") if wanted in ("0", "1") else not thread.is_handled
    services.thread_set_handled(user=request.user, thread=thread, handled=make_handled)
    if make_handled:
        messages.success(request, _("Marked as handled."))
    else:
        messages.success(request, _("Open again."))
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return redirect(target)
    return redirect("messaging:thread", thread_id=thread.pk)


@login_required
def group_inbox(request, group_id: int):
    """The group's conversations: open, handled or all; searchable; newest first."""
    group = messaging_access.inbox_group_for_user(request.user, group_id)
    state = request.GET.get("state", "open")
    if state not in selectors.STATES:
        state = "open"
    q = bounds.clean_search(request.GET.get("q"))
    threads = selectors.staff_threads(request.user, group_ids=[group.pk], state=state, q=q)
    page = Paginator(threads, PAGE_SIZE).get_page(request.GET.get("page"))
    others = selectors.inbox_groups(request.user) if roles_access.works_on_several_groups(request.user) else []
    return render(
        request,
        "messaging/group_inbox.html",
        {
            "group": group,
            "page": page,
            "state": state,
            "q": q,
            "query": urlencode({"state": state, "q": q}) + "&",
            "other_groups": others,
        },
    )


@login_required
def group_new(request, group_id: int):
    """Staff write to one family of the group, or to every family (one conversation each)."""
    group = messaging_access.inbox_group_for_user(request.user, group_id)
    children = list(messaging_access.message_children_of_group(group))
    error = ""
    to = request.POST.get("to") or request.GET.get("child") or ""
    if request.method == "POST":
        common = {
            "author": request.user,
            "group": group,
            "subject": request.POST.get("subject", ""),
            "body": request.POST.get("body", ""),
            "files": request.FILES.getlist("files"),
            "key": request.POST.get("key", ""),
        }
        try:
            if to == "all":
                threads = services.broadcast(**common)
                messages.success(
                    request,
                    ngettext(
                        "Sent to %(count)d family.",
                        "Sent to %(count)d families, each in its own conversation.",
                        len(threads),
                    )
                    % {"count": len(threads)},
                )
                return redirect(reverse("messaging:group_inbox", args=[group.pk]) + "?state=all")
            if not to:
                raise ValidationError(_("Choose a family, or all families of the group."))
            child = messaging_access.message_child_for_staff(group, to)
            thread = services.thread_start(child=child, by_staff=True, **common)
        except ValidationError as exc:
            error = _error(exc)
        else:
            messages.success(request, _("Your message has been sent."))
            return redirect("messaging:thread", thread_id=thread.pk)
    return render(
        request,
        "messaging/group_new.html",
        {
            "group": group,
            "children": children,
            "to": to,
            "error": error,
            "subject": request.POST.get("subject", ""),
            "body": request.POST.get("body", ""),
            **_form_context(request),
        },
        status=400 if error else 200,
    )


@login_required
def attachment(request, attachment_id: int, name: str):
    found = messaging_access.attachment_for_user(request.user, attachment_id)
    return attachment_response(request, found, request.GET.get("size", ""))


@login_required
def quick_messages_edit(request, organisation_id: int):
    """The organisation's quick messages, one a line, for its admins."""
    organisation = tenancy_access.organisation_for_admin(request.user, organisation_id)
    error = ""
    if request.method == "POST":
        texts = request.POST.get("texts", "").splitlines()
        try:
            services.quick_messages_set(actor=request.user, organisation=organisation, texts=texts)
        except ValidationError as exc:
            error = _error(exc)
        else:
            messages.success(request, _("The quick messages are saved."))
            return redirect("messaging:quick_messages", organisation_id=organisation.pk)
    own = selectors.own_quick_messages(organisation.pk)
    return render(
        request,
        "messaging/quick_messages.html",
        {
            "organisation": organisation,
            "texts": request.POST.get("texts", "") if error else "\n".join(own),
            "defaults": selectors.default_quick_messages(),
            "error": error,
            "max_count": QUICK_MESSAGES_MAX,
            "max_length": QUICK_MESSAGE_MAX_LENGTH,
        },
        status=400 if error else 200,
    )
