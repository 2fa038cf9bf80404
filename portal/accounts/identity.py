"""A person's identity across organisations.

One login (a `User`, by e-mail address) is shared by every organisation the person deals
with: a parent with daycare at one organisation and out-of-school care at another keeps one
account. Neither organisation may learn or change anything of the person through the other:

- Each organisation keeps its own `OrganisationProfile` of the person: the name and phone
  number it entered, when it invited them and when they first logged in after that. Every
  page that shows a person to an organisation's staff uses that profile (`name_of`,
  `names_in`); the person sees their own name (`User.full_name`).
- Adding an address shows the organisation the same thing whether or not it already had an
  account: no "has an account", no other organisation's name, the same mail sent (an invitation
  when there is no account yet; a notice when there is, which only the person reads).
- A staff role is offered, not given: `role_invite` records a `RoleInvitation`, and the role
  exists only once the person accepts it, logged in (`role_accept`). A role that is waiting
  gives no access, and its security demand (two-step login for admins) does not touch the
  person's other pages.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, NullIf
from django.utils.translation import gettext as _

from portal.accounts.models import OrganisationProfile, RoleInvitation, User
from portal.core import clock
from portal.core.tasks import enqueue_after_commit

# ---------------------------------------------------------------- profiles


def profile_record(*, organisation, user: User, full_name: str = "", phone: str = "") -> OrganisationProfile:
    """The organisation's profile of the person, made or brought up to date with what the
    organisation entered now. Never reads or changes another organisation's profile, nor the
    person's own name."""
    full_name, phone = (full_name or "").strip(), (phone or "").strip()
    profile, created = OrganisationProfile.objects.get_or_create(
        organisation=organisation, user=user, defaults={"full_name": full_name, "phone": phone}
    )
    if not created:
        changed = {k: v for k, v in {"full_name": full_name, "phone": phone}.items() if v and getattr(profile, k) != v}
        if changed:
            for name, value in changed.items():
                setattr(profile, name, value)
            profile.save(update_fields=list(changed))
    return profile


def profile_ensure(*, organisation_id: int, user: User) -> None:
    """A relation made without a service (demo data, tests) still gets a profile. The
    person's own name is copied only when no other organisation knows the person (then it was
    this organisation, or the person, who entered it); otherwise the profile stays empty and
    the organisation sees the e-mail address until it enters a name."""
    if OrganisationProfile.objects.filter(organisation_id=organisation_id, user=user).exists():
        return
    first = not OrganisationProfile.objects.filter(user=user).exists()
    joined = (user.activated_at or clock.now()) if first and user.has_usable_password() else None
    OrganisationProfile.objects.get_or_create(
        organisation_id=organisation_id,
        user=user,
        defaults={
            "full_name": user.full_name if first else "",
            "phone": user.phone if first else "",
            "joined_at": joined,
        },
    )


def profiles_mark_invited(*, organisation, user) -> None:
    """The organisation sent the person its invitation or notice (organisation and user may be ids)."""
    OrganisationProfile.objects.filter(
        organisation_id=getattr(organisation, "pk", organisation), user_id=getattr(user, "pk", user)
    ).update(invited_at=clock.now())


def profiles_mark_joined(user: User) -> None:
    """The person logged in: each organisation that added them and waited sees it from now on."""
    OrganisationProfile.objects.filter(user=user, joined_at__isnull=True).update(joined_at=clock.now())


def name_of(user_ref: str, organisation_ref) -> Coalesce:
    """An expression for `annotate`: the name the organisation entered for the person at
    `user_ref` (a field path to a user id, e.g. "user" or "author"; "pk" on users), else their
    e-mail address.
    `organisation_ref` is an organisation, its id, or a field path (an `OuterRef` target)."""
    if isinstance(organisation_ref, str):
        organisation_filter = {"organisation_id": OuterRef(organisation_ref)}
    else:
        organisation_filter = {"organisation_id": getattr(organisation_ref, "pk", organisation_ref)}
    profile_name = OrganisationProfile.objects.filter(user_id=OuterRef(user_ref), **organisation_filter).values(
        "full_name"
    )[:1]
    return Coalesce(
        NullIf(Subquery(profile_name, output_field=CharField()), Value("")),
        F("email" if user_ref == "pk" else f"{user_ref}__email"),
        output_field=CharField(),
    )


def with_profile(queryset, organisation, user_ref: str = "user"):
    """The queryset with `profile_name`, `profile_invited_at` and `profile_joined_at`: the
    organisation's own profile of the person at `user_ref`, in the same query."""
    profile = OrganisationProfile.objects.filter(
        user_id=OuterRef(user_ref), organisation_id=getattr(organisation, "pk", organisation)
    )
    return queryset.annotate(
        profile_name=name_of(user_ref, organisation),
        profile_invited_at=Subquery(profile.values("invited_at")[:1]),
        profile_joined_at=Subquery(profile.values("joined_at")[:1]),
    )


def names_in(organisation, user_ids) -> dict[int, str]:
    """{user id: the name this organisation entered, or the e-mail address} in one query."""
    ids = {pk for pk in user_ids if pk}
    if not ids:
        return {}
    rows = User.objects.filter(pk__in=ids).annotate(profile_name=name_of("pk", organisation))
    return {row.pk: row.profile_name for row in rows}


def named_replies(model, organisation, lookup: str = "replies"):
    """A prefetch of `lookup` (e.g. a diary entry's replies) with each `author_name`."""
    from django.db.models import Prefetch

    return Prefetch(
        lookup, queryset=model.objects.select_related("author").annotate(author_name=name_of("author", organisation))
    )


def with_author_names(queryset, organisation, *, replies_model=None):
    """Diary entries (or the like) with `author_name`, and their replies' too when
    `replies_model` is given: the names this organisation entered, in two queries in all."""
    queryset = queryset.annotate(author_name=name_of("author", organisation))
    if replies_model is not None:
        queryset = queryset.prefetch_related(named_replies(replies_model, organisation))
    return queryset


def author_short_name(obj, organisation) -> str:
    """The first name the organisation entered for the author of `obj` (annotated as
    `author_name` by `name_of`, or looked up); "" without an author."""
    if obj.author_id is None:
        return ""
    name = getattr(obj, "author_name", None)
    if name is None:
        name = names_in(organisation, [obj.author_id]).get(obj.author_id, "")
    return short_name(name)


def short_name(name: str) -> str:
    """The first name of a name, or the whole e-mail address when that is all there is."""
    name = (name or "").strip()
    return name if "@" in name else name.split(" ")[0]


def guardian_status(profile: OrganisationProfile | None) -> str:
    """ "joined", "invited" or "waiting": this organisation's relation only."""
    if profile is None or profile.invited_at is None and profile.joined_at is None:
        return "waiting"
    return "joined" if profile.joined_at else "invited"


# ---------------------------------------------------------------- guardians


def guardian_added(*, organisation, user: User, child, full_name: str = "", actor=None) -> OrganisationProfile:
    """The organisation made the person a guardian of `child`: record its profile and tell the
    person. Without an account yet they get the invitation to choose a password as before (at
    once, or from the daily job when the placement is further away); with an account, a notice
    that the child was added, to read with their existing login. The organisation sees the
    same in both cases."""
    from portal.accounts.tasks import deliver_guardian_notice

    profile = profile_record(organisation=organisation, user=user, full_name=full_name)
    if user.has_usable_password():
        enqueue_after_commit(deliver_guardian_notice, organisation.pk, user.pk, child.pk)
        profiles_mark_invited(organisation=organisation, user=user)
    return profile


@transaction.atomic
def guardian_invite_again(*, organisation, user: User, actor) -> None:
    """The admin's "send again": a new password link without an account, a new notice with one.
    The admin's page says the same in both cases, and so does the history."""
    from portal.accounts.services import invitation_resend
    from portal.accounts.tasks import deliver_guardian_notice
    from portal.core.audit import audit_record

    if user.has_usable_password():
        child = user.guardianships.filter(child__organisation=organisation).select_related("child").first()
        if child is not None:
            enqueue_after_commit(deliver_guardian_notice, organisation.pk, user.pk, child.child_id)
    else:
        invitation_resend(user=user, resent_by=actor)
    profiles_mark_invited(organisation=organisation, user=user)
    audit_record(
        organisation=organisation,
        actor=actor,
        action="invitation.sent",
        target=user,
        summary=_("New invitation sent to %(email)s") % {"email": user.email},
    )


# ---------------------------------------------------------------- staff roles


def _role_rows():
    from portal.organisations.models import GroupStaff, LocationPlanner, OrganisationAdmin

    return {
        RoleInvitation.Role.GROUP_STAFF: (GroupStaff, "group"),
        RoleInvitation.Role.PLANNER: (LocationPlanner, "location"),
        RoleInvitation.Role.ADMIN: (OrganisationAdmin, "organisation"),
    }


def _role_row(invitation: RoleInvitation):
    model, field = _role_rows()[invitation.role]
    target = {"group": invitation.group, "location": invitation.location, "organisation": invitation.organisation}
    return model, {"user": invitation.user, field: target[field]}


def open_role_invitations(user: User):
    return RoleInvitation.objects.filter(
        user=user, accepted_at__isnull=True, declined_at__isnull=True, withdrawn_at__isnull=True
    ).select_related("organisation", "group__location", "location")


def open_role_invitations_of(organisation):
    return (
        RoleInvitation.objects.filter(
            organisation=organisation, accepted_at__isnull=True, declined_at__isnull=True, withdrawn_at__isnull=True
        )
        .select_related("user", "group__location", "location")
        .annotate(profile_name=name_of("user", organisation))
        .order_by("created_at", "pk")
    )


@transaction.atomic
def role_invite(
    *, organisation, actor, user: User, full_name: str, role: str, group=None, location=None
) -> RoleInvitation | None:
    """Offer the person a role. Nothing changes for their login until they accept; the
    organisation sees "invitation sent" whether the address is new or not. Without an account
    yet the person gets the link to choose a password (and finds the role to accept after it),
    with one a mail asking them to log in and accept. None when they have the role already."""
    from portal.accounts.services import invitation_resend
    from portal.accounts.tasks import deliver_role_invitation
    from portal.core.audit import audit_record

    User.objects.select_for_update().filter(pk=user.pk).first()
    profile_record(organisation=organisation, user=user, full_name=full_name)
    candidate = RoleInvitation(
        organisation=organisation,
        user=user,
        role=role,
        group=group if role == RoleInvitation.Role.GROUP_STAFF else None,
        location=location if role == RoleInvitation.Role.PLANNER else None,
        invited_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    model, lookup = _role_row(candidate)
    if model.objects.filter(**lookup).exists():
        return None
    existing = open_role_invitations(user).filter(
        organisation=organisation, role=candidate.role, group=candidate.group, location=candidate.location
    )
    if existing.exists():
        return existing.first()
    candidate.save()
    audit_record(
        organisation=organisation,
        actor=actor,
        action="role.invited",
        target=user,
        summary=_("%(email)s is invited as %(role)s of %(where)s")
        % {"email": user.email, "role": candidate.get_role_display(), "where": candidate.where},
    )
    if user.has_usable_password():
        enqueue_after_commit(deliver_role_invitation, candidate.pk)
    else:
        transaction.on_commit(lambda: invitation_resend(user=user, resent_by=actor))
    profiles_mark_invited(organisation=organisation, user=user)
    return candidate


def _open_invitation_for(user: User, invitation_id: int) -> RoleInvitation:
    invitation = open_role_invitations(user).select_for_update(of=("self",)).filter(pk=invitation_id).first()
    if invitation is None:
        raise ValidationError(_("This invitation is no longer open."))
    return invitation


@transaction.atomic
def role_accept(*, user: User, invitation_id: int):
    """The person accepts a role offered to them: from now on they have it."""
    from portal.access import roles as roles_module
    from portal.core.audit import audit_record

    invitation = _open_invitation_for(user, invitation_id)
    model, lookup = _role_row(invitation)
    row, _made = model.objects.get_or_create(**lookup)
    invitation.accepted_at = clock.now()
    invitation.save(update_fields=["accepted_at"])
    OrganisationProfile.objects.filter(organisation=invitation.organisation, user=user, joined_at__isnull=True).update(
        joined_at=clock.now()
    )
    audit_record(
        organisation=invitation.organisation,
        actor=user,
        action="role.accepted",
        target=user,
        summary=_("%(email)s is now %(role)s of %(where)s")
        % {"email": user.email, "role": invitation.get_role_display(), "where": invitation.where},
    )
    roles_module.forget_roles(user)
    return invitation


@transaction.atomic
def role_decline(*, user: User, invitation_id: int) -> RoleInvitation:
    from portal.core.audit import audit_record

    invitation = _open_invitation_for(user, invitation_id)
    invitation.declined_at = clock.now()
    invitation.save(update_fields=["declined_at"])
    audit_record(
        organisation=invitation.organisation,
        actor=user,
        action="role.declined",
        target=user,
        summary=_("%(email)s declined the role of %(role)s of %(where)s")
        % {"email": user.email, "role": invitation.get_role_display(), "where": invitation.where},
    )
    return invitation


@transaction.atomic
def role_invitation_withdraw(*, organisation, actor, invitation: RoleInvitation) -> None:
    from portal.core.audit import audit_record

    if invitation.organisation_id != organisation.pk or not invitation.is_open:
        return
    invitation.withdrawn_at = clock.now()
    invitation.save(update_fields=["withdrawn_at"])
    audit_record(
        organisation=organisation,
        actor=actor,
        action="role.invitation_withdrawn",
        target=invitation.user,
        summary=_("Invitation of %(email)s as %(role)s withdrawn")
        % {"email": invitation.user.email, "role": invitation.get_role_display()},
    )
