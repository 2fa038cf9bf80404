from __future__ import annotations

import hashlib
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core import clock
from portal.core.scoping import TenantManager


def hash_token(raw: str) -> str:
    """Tokens are stored only as their SHA-256: a database leak reveals no usable link or key."""
    return hashlib.sha256(raw.encode()).hexdigest()


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    @classmethod
    def normalize_email(cls, email: str | None) -> str:
        return (email or "").strip().lower()

    def get_by_natural_key(self, username: str | None) -> User:
        return self.get(email__iexact=self.normalize_email(username))

    def create_user(self, email: str, password: str | None = None, **extra) -> User:
        if not email:
            raise ValueError("A user needs an e-mail address")
        user = self.model(email=self.normalize_email(email), **extra)
        if password:
            user.set_password(password)
        else:
            user.set_unusable_password()
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra) -> User:
        extra.setdefault("is_staff", True)
        extra.setdefault("is_superuser", True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """Anyone who logs in: guardians, group staff, planners and admins alike.

    The e-mail address is the login. A guardian added by the organisation has a user without
    a usable password until they follow their invitation: that is "without an account yet".
    `is_staff` means an operator of the installation (Django's admin), not group staff.
    """

    class Language(models.TextChoices):
        DUTCH = "nl", _("Dutch")
        ENGLISH = "en", _("English")

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(_("name"), max_length=200, blank=True)
    phone = models.CharField(_("phone number"), max_length=40, blank=True)
    language = models.CharField(_("language"), max_length=5, choices=Language.choices, default=Language.DUTCH)
    must_change_password = models.BooleanField(
        _("must change password"),
        default=False,
        help_text=_("Set when the password was generated; the user chooses a new one at the next login."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("installation operator"), default=False)
    date_joined = models.DateTimeField(_("created"), default=clock.now)
    activated_at = models.DateTimeField(_("account activated"), null=True, blank=True)
    # The short personal code with which group staff unlock their group's tablet: hashed with
    # the password hashers (never kept plain); empty when none is set.
    tablet_pin = models.CharField(max_length=128, blank=True)
    tablet_pin_set_at = models.DateTimeField(null=True, blank=True)
    # Goes up when what this person sees has changed (they wrote something, or were told of
    # something new): reads kept for them (portal.accounts.kept) are then read afresh.
    reads_version = models.PositiveBigIntegerField(default=0, editable=False)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def save(self, *args, **kwargs) -> None:
        # The reads version only moves on in the database (`portal.accounts.kept.changed`, with
        # F()): saving a user read before another request moved it on must not put the older
        # number back, so a full save of an existing user leaves it out.
        if kwargs.get("update_fields") is None and not self._state.adding and not kwargs.get("force_insert"):
            left_out = {"reads_version", *self.get_deferred_fields()}  # deferred: not read, so not written
            kwargs["update_fields"] = [
                f.name for f in self._meta.concrete_fields if not f.primary_key and f.attname not in left_out
            ]
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return self.full_name or self.email

    @property
    def has_account(self) -> bool:
        """True once the user can log in: a password was set by them or for them."""
        return self.has_usable_password()

    def get_full_name(self) -> str:
        return self.display_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Invitation(models.Model):
    """A one-time link that lets a guardian set their first password.

    The raw token exists only in the mail; the database keeps its hash. The mail is sent by a
    background task, which also makes the token, so a retried task simply makes a new link.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="invitations")
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(default=clock.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    resent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            # At most one open invitation per user: two daily runs at once cannot both invite.
            models.UniqueConstraint(
                fields=["user"],
                condition=models.Q(used_at__isnull=True, revoked_at__isnull=True),
                name="one_open_invitation_per_user",
            )
        ]

    def __str__(self) -> str:
        return f"Invitation for {self.user.email}"

    def is_usable(self) -> bool:
        return (
            bool(self.token_hash)
            and self.used_at is None
            and self.revoked_at is None
            and self.expires_at is not None
            and clock.now() < self.expires_at
            and not self.user.has_usable_password()
        )


class LoginFailure(models.Model):
    """One failed login, kept for the throttle window; old rows are pruned as new ones come in."""

    email = models.CharField(max_length=254, db_index=True)
    ip_address = models.GenericIPAddressField(null=True, db_index=True)
    device = models.CharField(
        max_length=32, blank=True, help_text="The browser or app that logged in before, if it was one (see services)."
    )
    at = models.DateTimeField(default=clock.now, db_index=True)

    def __str__(self) -> str:
        return f"{self.email} at {self.at:%Y-%m-%d %H:%M}"


class UserSession(models.Model):
    """A browser session of a user, so that they can see where they are logged in and end it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="browser_sessions")
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(default=clock.now)
    last_seen_at = models.DateTimeField(default=clock.now)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-last_seen_at"]

    def __str__(self) -> str:
        return f"{self.user} since {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def device(self) -> str:
        return describe_user_agent(self.user_agent)


class ApiToken(models.Model):
    """The app's remembered login on one device: long-lived, revocable, stored as a hash."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    device_name = models.CharField(_("device"), max_length=100)
    key_hash = models.CharField(max_length=64, unique=True)
    second_factor = models.BooleanField(
        default=False, help_text="The login that made this token included a valid TOTP code."
    )
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.device_name} ({self.user.email})"


def describe_user_agent(user_agent: str) -> str:
    """'Chrome on Android' from a browser's User-Agent header, for the list of sessions."""
    ua = user_agent or ""
    browser = next(
        (
            name
            for key, name in [
                ("Edg/", "Edge"),
                ("Firefox/", "Firefox"),
                ("Chrome/", "Chrome"),
                ("Chromium/", "Chromium"),
                ("Safari/", "Safari"),
            ]
            if key in ua
        ),
        "",
    )
    system = next(
        (
            name
            for key, name in [
                ("Android", "Android"),
                ("iPhone", "iPhone"),
                ("iPad", "iPad"),
                ("Windows", "Windows"),
                ("Mac OS X", "macOS"),
                ("Linux", "Linux"),
            ]
            if key in ua
        ),
        "",
    )
    if browser and system:
        return f"{browser} · {system}"
    return browser or system or ua[:60]


class OrganisationProfile(models.Model):
    """How one organisation knows a person: the name and phone number it entered itself, and
    where its own relation with the person stands.

    One login (a `User`) may be shared by several organisations: a parent with daycare at one
    and out-of-school care at another keeps one account. Each organisation sees only its own
    profile of that person, never another organisation's name or whether the address had an
    account before. `User.full_name` is the person's own name, the one they see themselves."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="profiles", verbose_name=_("organisation")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="organisation_profiles", verbose_name=_("user")
    )
    full_name = models.CharField(_("name"), max_length=200, blank=True)
    phone = models.CharField(_("phone number"), max_length=40, blank=True)
    created_at = models.DateTimeField(default=clock.now)
    invited_at = models.DateTimeField(
        _("invited"), null=True, blank=True, help_text=_("When this organisation's invitation or notice was sent.")
    )
    joined_at = models.DateTimeField(
        _("logged in"), null=True, blank=True, help_text=_("The first login after this organisation added the person.")
    )

    class Meta:
        verbose_name = _("organisation profile")
        verbose_name_plural = _("organisation profiles")
        constraints = [models.UniqueConstraint(fields=["organisation", "user"], name="one_profile_per_organisation")]
        indexes = [
            # "Without an account yet" (the admin's home and the organisation page): the few
            # people an organisation added who have not logged in, found without reading the
            # profiles of everyone who has.
            models.Index(
                fields=["organisation", "user"], name="profile_not_joined", condition=models.Q(joined_at__isnull=True)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} at {self.organisation_id}"

    @property
    def display_name(self) -> str:
        return self.full_name or self.user.email


class RoleInvitation(models.Model):
    """A staff role (group staff, planner, organisation admin) offered to a person. The role is
    not active until the person accepts it, logged in, on the confirmation page: an
    organisation cannot give someone's login new powers, or new security demands, on its own."""

    class Role(models.TextChoices):
        GROUP_STAFF = "group_staff", _("group staff")
        PLANNER = "planner", _("planner")
        ADMIN = "admin", _("organisation admin")

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="role_invitations"
    )
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="role_invitations")
    role = models.CharField(max_length=20, choices=Role.choices)
    group = models.ForeignKey("organisations.Group", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    location = models.ForeignKey(
        "organisations.Location", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    invited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=clock.now)
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        # One open invitation per person and role: `identity.role_invite` checks it with the
        # person's row locked (a unique constraint cannot, as group and location may be empty).

    def __str__(self) -> str:
        return f"{self.role} for {self.user_id} at {self.organisation_id}"

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.declined_at is None and self.withdrawn_at is None

    @property
    def where(self) -> str:
        if self.group is not None:
            return f"{self.group.location.name} · {self.group.name}"
        return (self.location or self.organisation).name


class GroupTablet(models.Model):
    """A device that a member of a group's staff turned into that group's shared tablet.

    The device keeps the browser session of the person who set it up (`set_up_by`), who logged
    in on it with their full login; it stays in their list of sessions, where they can end it.
    On the tablet the group's staff take turns with their personal PIN: the middleware in
    `portal.access.tablet` makes the one who unlocked it the user of each request, reaching only
    the group's work, until the tablet locks (idle, or the lock button). See docs/decisions.md."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+", verbose_name=_("organisation")
    )
    group = models.ForeignKey(
        "organisations.Group", on_delete=models.CASCADE, related_name="tablets", verbose_name=_("group")
    )
    session_key = models.CharField(max_length=40, db_index=True)
    set_up_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=clock.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    TENANT_PATH = "organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"Tablet of group {self.group_id} since {self.created_at:%Y-%m-%d %H:%M}"
