"""Which of a person's roles may be used now, given the security each role demands.

One login may hold roles at several organisations: a parent at one, an admin at another. A
role's demand applies when the person uses that role, never to the whole login:

- An organisation admin role asks for two-step login (TOTP): the person has a confirmed
  authenticator device, and this session (or this app token) was opened with a code.
- Until both are true, the admin role is *not in use*: for this request the person has every
  other role (guardian, group staff, planner) and not that one. Their guardian pages and their
  app keep working; the organisation's admin pages (`/manage/<organisation>/…` and the
  organisation page) send them to set up or give the code, and admin-only API endpoints refuse.
- A person who turned two-step login on themselves gives the code at every login, whatever
  their roles (that is their own choice; `AccountGateMiddleware` and `TokenAuth` keep it).

The middleware (`portal.accounts.middleware`) and the API's `TokenAuth` call
`apply_security_demands` once per request, before any view asks `portal.access`: from
then on `roles_module.roles_of(user)` answers with the roles in use.
"""

from __future__ import annotations

from dataclasses import replace

from portal.access import roles as roles_module

# Where the roles of a request are kept on the user object, beside the policy's own cache.
_HELD = "_portal_roles_held"
_SECOND_FACTOR = "_portal_second_factor"
_HAS_TOTP = "_portal_has_totp"

# Admin pages: URL namespaces and names that act on one organisation (`organisation_id`)
# with the admin role. A person who does not meet the admin role's demand is sent to the
# two-step setup or to give their code, instead of getting a 404.
ADMIN_PAGES: dict[str, frozenset[str] | None] = {
    "backoffice": None,  # every back office page with an organisation in its URL
    "home": frozenset({"organisation", "guardian_invite"}),
}


def user_has_totp(user) -> bool:
    """The person has a confirmed authenticator device (read once per request)."""
    cached = getattr(user, _HAS_TOTP, None)
    if cached is not None:
        return cached
    from django_otp.plugins.otp_totp.models import TOTPDevice

    found = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
    setattr(user, _HAS_TOTP, found)
    return found


def roles_held(user) -> roles_module.Roles:
    """Every role the person has, whether or not its demands are met in this request."""
    held = getattr(user, _HELD, None)
    return held if held is not None else roles_module.roles_of(user)


def _organisation_id(organisation) -> int:
    return organisation if isinstance(organisation, int) else organisation.pk


def two_factor_required_for(user, organisation) -> bool:
    """Using this person's role at this organisation needs two-step login: they are its admin."""
    return _organisation_id(organisation) in roles_held(user).admin_organisation_ids


def two_factor_required_somewhere(user) -> bool:
    """One of the person's roles needs two-step login, so they may not turn it off."""
    return bool(roles_held(user).admin_organisation_ids)


def _second_factor_used(user) -> bool:
    """This session or app token was opened with a TOTP code."""
    marked = getattr(user, _SECOND_FACTOR, None)
    if marked is not None:
        return marked
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified()) if callable(is_verified) else False


def _demand_met(user) -> bool:
    return user_has_totp(user) and _second_factor_used(user)


def may_use_admin_role(request_or_user, organisation) -> bool:
    """The person is admin of the organisation and meets the role's demand right now."""
    user = getattr(request_or_user, "user", request_or_user)
    return two_factor_required_for(user, organisation) and _demand_met(user)


def apply_security_demands(user, *, second_factor: bool | None = None) -> None:
    """From now on in this request, `roles_module.roles_of(user)` gives only the roles whose demands
    are met. `second_factor` says whether an app token's login included a code; for a browser
    session it is read from the session (django-otp)."""
    if user is None or not user.is_authenticated:
        return
    if second_factor is not None:
        setattr(user, _SECOND_FACTOR, second_factor)
    held = roles_module.roles_of(user)
    setattr(user, _HELD, held)
    if not held.admin_organisation_ids or _demand_met(user):
        return
    # The policy keeps the roles of a request on the user object (`roles_of`): the admin role
    # is left out of them until two-step login is set up and used.
    user._portal_roles = replace(held, admin_organisation_ids=frozenset())


def admin_roles_not_in_use(user) -> frozenset[int]:
    """The organisations whose admin role the person holds but may not use in this request."""
    return roles_held(user).admin_organisation_ids - roles_module.roles_of(user).admin_organisation_ids


def admin_page_organisation_id(resolver_match, view_kwargs) -> int | None:
    """The organisation an admin page acts on, or None when the route is not an admin page."""
    if resolver_match is None or "organisation_id" not in view_kwargs:
        return None
    names = ADMIN_PAGES.get(resolver_match.namespace, frozenset())
    if names is not None and resolver_match.url_name not in names:
        return None
    try:
        return int(view_kwargs["organisation_id"])
    except (TypeError, ValueError):
        return None


def admin_page_gate(user, organisation_id: int) -> str | None:
    """Where a person who opens an admin page must go first: the two-step setup, or None when
    they may go on (also when they are not this organisation's admin: the page gives its 404)."""
    if not two_factor_required_for(user, organisation_id) or _demand_met(user):
        return None
    return "accounts:otp_setup" if not user_has_totp(user) else "accounts:otp_verify"
