"""Login for the app: a revocable token per device, and who the user is."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import authenticate
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from portal.access import children as children_access
from portal.access import roles as roles_access
from portal.accounts import services
from portal.accounts.signals import client_ip
from portal.api.auth import TokenAuth
from portal.api.schemas import Error, InputSchema
from portal.children import services as children_services
from portal.children.selectors import children_with_placements
from portal.core import clock
from portal.core.bounds import Id

router = Router(tags=["accounts"])


class TokenIn(InputSchema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=1024)
    device_name: str = Field(min_length=1, max_length=100, description="Shown to the user in their list of devices")
    otp: str | None = Field(
        default=None, max_length=8, description="Code from the authenticator app, if the user has one"
    )
    device_key: str | None = Field(
        default=None,
        max_length=500,
        description="The `device_key` of this device's last login to this account: it keeps its own "
        "allowance of failed logins while others guess the password",
    )


class UserOut(Schema):
    id: int
    email: str
    name: str
    language: str


class TokenOut(Schema):
    token: str = Field(description="Send as `Authorization: Bearer <token>`; valid until revoked")
    device_name: str
    device_key: str = Field(description="Keep it and send it with this device's next login to this account")
    user: UserOut


class PlacementOut(Schema):
    group_id: int
    group_name: str
    group_kind: str
    location_name: str
    location_phone: str
    start_date: dt.date
    end_date: dt.date | None


class ChildOut(Schema):
    id: int
    first_name: str
    last_name: str
    birth_date: dt.date
    is_my_child: bool
    placements: list[PlacementOut]


class MeOut(Schema):
    user: UserOut
    roles: list[str]
    children: list[ChildOut]


def _user_out(user) -> UserOut:
    return UserOut(id=user.pk, email=user.email, name=user.display_name, language=user.language)


@router.post("/auth/token", response={200: TokenOut, 401: Error, 403: Error, 422: Error, 429: Error}, auth=None)
def token_create(request, payload: TokenIn):
    ip = client_ip(request)
    throttle = services.login_throttle_check(email=payload.email, ip_address=ip, device_key=payload.device_key)
    if throttle.blocked:
        raise HttpError(429, throttle.message())
    user = authenticate(request, username=payload.email, password=payload.password)
    if user is None:
        services.login_failure_record(email=payload.email, ip_address=ip, device_key=payload.device_key)
        raise HttpError(401, _("This e-mail address and password do not match."))
    devices = list(TOTPDevice.objects.filter(user=user, confirmed=True))
    if devices:
        otp_key = f"otp:{user.email}"
        otp_throttle = services.login_throttle_check(email=otp_key, ip_address=None)
        if otp_throttle.blocked:
            raise HttpError(429, otp_throttle.message())
        if not payload.otp or not any(d.verify_token(payload.otp.strip()) for d in devices):
            if payload.otp:
                services.login_failure_record(email=otp_key, ip_address=None)
            raise HttpError(401, _("Give the code from your authenticator app (otp)."))
        services.login_failures_clear(email=otp_key)
    if user.must_change_password:
        raise HttpError(403, _("Choose a new password in the portal first."))
    services.login_failures_clear(email=payload.email, ip_address=ip, device_key=payload.device_key)
    token, raw = services.api_token_create(user=user, device_name=payload.device_name, second_factor=bool(devices))
    return Status(
        200,
        TokenOut(
            token=raw,
            device_name=token.device_name,
            device_key=services.login_device_key(user.email),
            user=_user_out(user),
        ),
    )


@router.delete("/auth/token", response={204: None}, auth=TokenAuth())
def token_revoke(request):
    """Log this device out: the token used for this call stops working."""
    services.api_token_revoke(token=request.api_token)
    return Status(204, None)


@router.get("/me", response=MeOut, auth=TokenAuth())
def me(request):
    user = request.user
    children = children_with_placements(children_access.visible_children(user), clock.today())
    return MeOut(
        user=_user_out(user),
        roles=roles_access.role_names(user),
        children=[
            ChildOut(
                id=c.pk,
                first_name=c.first_name,
                last_name=c.last_name,
                birth_date=c.birth_date,
                is_my_child=roles_access.is_guardian_of(user, c),
                placements=[
                    PlacementOut(
                        group_id=p.group_id,
                        group_name=p.group.name,
                        group_kind=p.group.kind,
                        location_name=p.group.location.name,
                        location_phone=p.group.location.phone,
                        start_date=p.start_date,
                        end_date=p.end_date,
                    )
                    for p in c.active_placements
                ],
            )
            for c in children
        ],
    )


class PhotoConsentIn(InputSchema):
    consent: bool = Field(description="true: photos of the child may be shared; false: withdraw the consent")


class PhotoConsentOut(Schema):
    child_id: int
    consent: bool
    changed: bool


@router.put(
    "/children/{child_id}/photo-consent",
    response=PhotoConsentOut,
    auth=TokenAuth(),
    url_name="child_photo_consent",
)
def child_photo_consent(request, child_id: Id, payload: PhotoConsentIn):
    """Guardians give or withdraw their child's photo consent. Withdrawing hides the photos the
    child is on at once; the staff of the child's group are told in a conversation."""
    child = children_access.consent_child_for_guardian(request.user, child_id)
    changed = children_services.consent_change_by_guardian(child=child, guardian=request.user, consent=payload.consent)
    child.refresh_from_db(fields=["photo_consent"])
    return PhotoConsentOut(child_id=child.pk, consent=child.photo_consent, changed=changed)
