from __future__ import annotations

import base64

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.access import accounts as access_accounts
from portal.access import tablet as tablet_access
from portal.accounts import identity, services
from portal.accounts import tablet as tablet_services
from portal.accounts.forms import ChangePasswordForm, LoginForm, SetPasswordForm, TabletPinForm, TokenForm
from portal.accounts.models import ApiToken, User
from portal.accounts.signals import client_ip


def _safe_next(request, fallback: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, require_https=request.is_secure()):
        return target
    return fallback


def login_attempt(request, form: LoginForm) -> tuple[services.Throttle, User | None]:
    """One try of an e-mail address and password (the login page, leaving a group tablet),
    throttled per address, network and browser as services describe; a wrong try is recorded.
    Returns the throttle and, when the try was right, the person (whose failures the caller
    forgets with `login_failures_forget` once it lets them in)."""
    if request.method != "POST":
        return services.Throttle(False), None
    email, ip, device_key = _attempt_keys(request)
    throttle = services.login_throttle_check(email=email, ip_address=ip, device_key=device_key)
    if throttle.blocked:
        return throttle, None
    if form.is_valid():
        assert form.user is not None  # a valid form has found the person
        return throttle, form.user
    services.login_failure_record(email=email, ip_address=ip, device_key=device_key)
    return throttle, None


def login_failures_forget(request) -> None:
    email, ip, device_key = _attempt_keys(request)
    services.login_failures_clear(email=email, ip_address=ip, device_key=device_key)


def _attempt_keys(request) -> tuple[str, str | None, str]:
    return request.POST.get("email", ""), client_ip(request), request.COOKIES.get(DEVICE_COOKIE, "")


def login_view(request):
    if request.user.is_authenticated:
        return redirect(settings.LOGIN_REDIRECT_URL)
    form = LoginForm(request, data=request.POST or None)
    throttle, user = login_attempt(request, form)
    if user is not None:
        login_failures_forget(request)
        login(request, user)
        redirect_to = HttpResponseRedirect(_safe_next(request, reverse(settings.LOGIN_REDIRECT_URL)))
        _remember_device(redirect_to, user.email)
        return redirect_to
    status = 429 if throttle.blocked else (400 if request.method == "POST" else 200)
    response = render(
        request,
        "accounts/login.html",
        {
            "form": form,
            "throttle_message": throttle.message() if throttle.blocked else "",
            "next": request.GET.get("next", ""),
        },
        status=status,
    )
    if throttle.blocked:
        response["Retry-After"] = str(throttle.retry_after_seconds)
    return response


# This browser logged in to an account before: it keeps its own allowance of failed logins
# for that account, whatever others try (services: login throttling).
DEVICE_COOKIE = "op_device"


def _remember_device(response, email: str) -> None:
    response.set_cookie(
        DEVICE_COOKIE,
        services.login_device_key(email),
        max_age=int(services.DEVICE_KEY_MAX_AGE.total_seconds()),
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("You are logged out."))
    return redirect("accounts:login")


@login_required
def password_change(request):
    user = request.user
    forced = user.must_change_password
    form_class = SetPasswordForm if forced else ChangePasswordForm
    form = form_class(user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.password_set(user=user, password=form.cleaned_data["new_password1"])
        old_key = request.session.session_key
        update_session_auth_hash(request, user)
        services.session_key_renewed(old_key=old_key, new_key=request.session.session_key)
        services.password_changed(user=user, keep_session_key=request.session.session_key)
        messages.success(request, _("Your password is changed. You are logged out everywhere else."))
        return redirect("home:home")
    return render(request, "accounts/password_change.html", {"form": form, "forced": forced})


def invitation(request, token: str):
    invitation = services.invitation_by_token(token)
    if invitation is None or not invitation.is_usable():
        return render(
            request, "accounts/invitation_invalid.html", {"invitation": invitation}, status=410 if invitation else 404
        )
    form = SetPasswordForm(invitation.user, data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        if request.user.is_authenticated:
            logout(request)
        user = services.invitation_accept(invitation=invitation, password=form.cleaned_data["new_password1"])
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your password is set and you are logged in."))
        if identity.open_role_invitations(user).exists():
            return redirect("accounts:roles")  # a role waits to be accepted
        return redirect("home:home")
    return render(request, "accounts/invitation.html", {"form": form, "invited": invitation.user})


# ---------------------------------------------------------------- roles offered to the person


@login_required
def roles(request):
    """The roles organisations offer the person, to accept or decline. A role starts only here."""
    invitations = list(identity.open_role_invitations(request.user))
    inviters = {}
    for invitation in invitations:
        inviters[invitation.pk] = identity.names_in(invitation.organisation, [invitation.invited_by_id]).get(
            invitation.invited_by_id, ""
        )
    rows = [{"invitation": i, "invited_by": inviters[i.pk], "is_admin": i.role == "admin"} for i in invitations]
    return render(request, "accounts/roles.html", {"rows": rows})


@login_required
@require_POST
def role_answer(request, invitation_id: int, answer: str):
    from django.core.exceptions import ValidationError

    from portal.accounts.models import RoleInvitation

    if not RoleInvitation.objects.filter(pk=invitation_id, user=request.user).exists():
        raise Http404  # someone else's invitation: it does not exist for this person
    try:
        if answer == "accept":
            invitation = identity.role_accept(user=request.user, invitation_id=invitation_id)
        else:
            invitation = identity.role_decline(user=request.user, invitation_id=invitation_id)
    except ValidationError as error:
        messages.error(request, error.messages[0])
        return redirect("accounts:roles")
    names = {"role": invitation.get_role_display(), "organisation": invitation.organisation.name}
    if answer == "accept":
        messages.success(request, _("You are now %(role)s at %(organisation)s.") % names)
    else:
        messages.info(request, _("You declined the role of %(role)s at %(organisation)s.") % names)
    if identity.open_role_invitations(request.user).exists():
        return redirect("accounts:roles")
    return redirect("home:home")


# ---------------------------------------------------------------- second factor


def _qr_data_uri(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)


@login_required
def otp_setup(request):
    user = request.user
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("accounts:security")
    device = services.otp_device_pending(user=user, name=_("Authenticator app"))
    form = TokenForm(data=request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            services.otp_device_confirm(device=device)
            services.cycle_session(request)
            otp_login(request, device)
            messages.success(request, _("Two-step login is on. You will be asked for a code at every login."))
            return redirect("home:home")
        form.add_error("token", _("This code is not right. Check the time on your phone and try the newest code."))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request,
        "accounts/otp_setup.html",
        {
            "form": form,
            "qr": _qr_data_uri(device.config_url),
            "secret_parts": [secret[i : i + 4] for i in range(0, len(secret), 4)],
            "required": access_accounts.two_factor_required_somewhere(user),
        },
        status=400 if request.method == "POST" else 200,
    )


@login_required
def otp_verify(request):
    user = request.user
    if user.is_verified() or not TOTPDevice.objects.filter(user=user, confirmed=True).exists():
        return redirect("home:home")
    form = TokenForm(data=request.POST or None)
    throttle_message = ""
    if request.method == "POST":
        key = f"otp:{user.email}"
        throttle = services.login_throttle_check(email=key, ip_address=None)
        if throttle.blocked:
            throttle_message = throttle.message()
        elif form.is_valid():
            for device in TOTPDevice.objects.filter(user=user, confirmed=True):
                if device.verify_token(form.cleaned_data["token"]):
                    services.cycle_session(request)
                    otp_login(request, device)
                    services.login_failures_clear(email=key)
                    return redirect(_safe_next(request, reverse("home:home")))
            services.login_failure_record(email=key, ip_address=None)
            form.add_error("token", _("This code is not right. Try the newest code from your app."))
    # A refused or throttled code is an error for the browser too (not a 200 page).
    status = 429 if throttle_message else (400 if request.method == "POST" else 200)
    return render(
        request, "accounts/otp_verify.html", {"form": form, "throttle_message": throttle_message}, status=status
    )


@login_required
@require_POST
def otp_disable(request):
    if access_accounts.two_factor_required_somewhere(request.user):
        messages.error(request, _("Organisation admins must keep two-step login on."))
        return redirect("accounts:security")
    services.otp_remove(user=request.user)
    messages.success(request, _("Two-step login is off."))
    return redirect("accounts:security")


# ---------------------------------------------------------------- sessions and devices


@login_required
def security(request):
    user: User = request.user
    sessions = list(services.user_sessions_active(user))
    tablets = tablet_services.tablets_by_session_key(s.session_key for s in sessions)
    for user_session in sessions:
        user_session.tablet = tablets.get(user_session.session_key)
    tokens = ApiToken.objects.filter(user=user, revoked_at__isnull=True)
    return render(
        request,
        "accounts/security.html",
        {
            "sessions": sessions,
            "pin_offered": tablet_access.may_have_pin(user),
            "tokens": tokens,
            "current_key": request.session.session_key,
            "has_totp": TOTPDevice.objects.filter(user=user, confirmed=True).exists(),
            "totp_required": access_accounts.two_factor_required_somewhere(user),
        },
    )


@login_required
def tablet_pin(request):
    """Set (or change) the person's PIN for group tablets; the current password is asked."""
    user: User = request.user
    if not tablet_access.may_have_pin(user):
        raise PermissionDenied  # the PIN is for group staff
    form = TabletPinForm(user, data=request.POST or None)
    if request.method == "POST" and request.POST.get("remove") == "yes":
        tablet_services.pin_remove(user=user)
        messages.success(request, _("Your PIN is removed. You can no longer unlock a group tablet."))
        return redirect("accounts:security")
    if request.method == "POST" and form.is_valid():
        tablet_services.pin_set(user=user, pin=form.cleaned_data["pin1"])
        messages.success(request, _("Your PIN is set. Use it to unlock your group's tablet."))
        return redirect("accounts:security")
    return render(
        request,
        "accounts/tablet_pin.html",
        {"form": form, "has_pin": bool(user.tablet_pin)},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_POST
def session_end(request, session_id: int):
    user_session = services.user_sessions_active(request.user).filter(pk=session_id).first()
    if user_session is None:
        raise Http404
    is_current = user_session.session_key == request.session.session_key
    services.user_session_end(user_session=user_session)
    if is_current:
        logout(request)
        return redirect("accounts:login")
    messages.success(request, _("The session is ended."))
    return redirect("accounts:security")


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = ApiToken.objects.filter(user=request.user, pk=token_id, revoked_at__isnull=True).first()
    if token is None:
        raise Http404
    services.api_token_revoke(token=token)
    messages.success(request, _("The app on %(device)s is logged out.") % {"device": token.device_name})
    return redirect("accounts:security")


@require_POST
def language(request):
    code = request.POST.get("language", "")
    if code not in dict(settings.LANGUAGES):
        code = settings.LANGUAGE_CODE
    if request.user.is_authenticated and request.user.language != code:
        request.user.language = code
        request.user.save(update_fields=["language"])
    response = redirect(_safe_next(request, reverse("home:home")))
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        code,
        max_age=365 * 24 * 3600,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        samesite="Lax",
        httponly=True,
    )
    return response
