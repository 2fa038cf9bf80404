"""Pages of the group tablet: setting a device up as a group's tablet, the lock screen, the PIN,
locking, and leaving tablet mode with a full login. Which pages a tablet opens at all is decided
in `portal.access.tablet` (its middleware runs before these views)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.access import tablet as tablet_access
from portal.accounts import tablet as tablet_services
from portal.accounts.forms import LoginForm, TabletUnlockForm


def _tablet_or_404(request) -> tablet_access.TabletState:
    state = tablet_access.current(request)
    if state is None:
        raise Http404
    return state


@login_required
def setup(request):
    """Make this device the tablet of one of the person's groups, after a confirmation."""
    groups = list(tablet_access.tablet_groups(request.user).order_by("name"))
    if not groups:
        raise PermissionDenied  # the tablet is for group staff
    error = ""
    chosen = request.POST.get("group") or request.GET.get("group") or (str(groups[0].pk) if len(groups) == 1 else "")
    if request.method == "POST":
        if not request.POST.get("group"):
            error = _("Choose the group whose tablet this device becomes.")
        elif request.POST.get("confirm") != "yes":
            error = _("Tick the box to confirm that this device becomes the group's shared tablet.")
        else:
            group = tablet_access.group_for_tablet_setup(request.user, request.POST["group"])
            tablet_services.tablet_start(session=request.session, user=request.user, group=group)
            messages.success(
                request,
                _("This device is now the tablet of %(group)s. Each colleague unlocks it with their own PIN.")
                % {"group": group.name},
            )
            return redirect("tablet:lock")
    return render(
        request,
        "tablet/setup.html",
        {"groups": groups, "chosen": chosen, "error": error, "idle_minutes": tablet_access.idle_seconds() // 60},
        status=400 if error else 200,
    )


@login_required
def lock(request):
    """The lock screen: the names of the group's staff who can unlock the tablet."""
    state = tablet_access.current(request)
    if state is None:
        return redirect("home:home")
    if state.unlocked:
        return redirect("home:home")
    return render(
        request,
        "tablet/lock.html",
        {
            "tablet_group": state.tablet.group,
            "unlockers": tablet_access.unlockers(state.tablet),
            "locked_after_idle": request.session.pop(tablet_services.SESSION_IDLE_LOCKED, False),
            "idle_minutes": tablet_access.idle_seconds() // 60,
        },
    )


@login_required
def unlock(request, user_id: int):
    """One colleague's PIN. Wrong PINs are counted per person and tablet (see the services)."""
    state = _tablet_or_404(request)
    row = tablet_access.unlocker(state.tablet, user_id)
    form = TabletUnlockForm(data=request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            result = tablet_services.tablet_unlock(
                session=request.session, tablet=state.tablet, user=row["user"], pin=form.cleaned_data["pin"]
            )
        else:
            wait = tablet_services.pin_wait_seconds(tablet=state.tablet, user=row["user"])
            result = tablet_services.Unlock(False, wait)
        if result.ok:
            return redirect("home:home")
        form = TabletUnlockForm()  # an empty field for the next try, with the message above it
        status = 429 if result.wait_seconds else 400
        response = render(
            request,
            "tablet/unlock.html",
            {"tablet_group": state.tablet.group, "row": row, "form": form, "error": result.message()},
            status=status,
        )
        if result.wait_seconds:
            response["Retry-After"] = str(result.wait_seconds)
        return response
    return render(request, "tablet/unlock.html", {"tablet_group": state.tablet.group, "row": row, "form": form})


@login_required
@require_POST
def lock_now(request):
    """The lock button, and the browser's idle timer: back to the lock screen at once."""
    state = tablet_access.current(request)
    if state is None:
        return redirect("home:home")
    tablet_services.tablet_lock(session=request.session)
    if request.POST.get("idle"):
        request.session[tablet_services.SESSION_IDLE_LOCKED] = True
    return redirect("tablet:lock")


@login_required
@require_POST
def ping(request):
    """The browser says someone is using the tablet (typing a long diary page, say): the
    middleware has noted the use. 204 while unlocked; 409 when locked (the page then goes to the
    lock screen)."""
    state = tablet_access.current(request)
    if state is None or not state.unlocked:
        return JsonResponse({"locked": True}, status=409)
    return HttpResponse(status=204)


@login_required
def leave(request):
    """Leave tablet mode: the full login (e-mail address and password) of someone on the
    group's staff. The device then becomes that person's own session (with their second factor
    still asked, if they have one)."""
    from portal.accounts.views import login_attempt, login_failures_forget

    state = _tablet_or_404(request)
    form = LoginForm(request, data=request.POST or None)
    throttle, person = login_attempt(request, form)
    error = ""
    if person is not None:
        if tablet_access.works_on_tablet_group(person.pk, state.tablet):
            login_failures_forget(request)
            tablet_services.tablet_end(tablet=state.tablet)
            logout(request)
            login(request, person, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Tablet mode has ended. This device is now logged in as you."))
            return redirect("home:home")
        error = _("Only staff of %(group)s can end this tablet's mode.") % {"group": state.tablet.group.name}
    status = 429 if throttle.blocked else (400 if request.method == "POST" else 200)
    return render(
        request,
        "tablet/leave.html",
        {
            "tablet_group": state.tablet.group,
            "form": form,
            "error": error or (throttle.message() if throttle.blocked else ""),
        },
        status=status,
    )
