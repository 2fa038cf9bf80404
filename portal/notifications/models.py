"""Notifications to guardians: one row per event and person (the list in the portal), and one
delivery per channel (web push to each device, an e-mail now, or a line in the daily digest).

A delivery is sent by a background task after the commit. It is claimed before it is sent and
marked after, so that a task that runs twice sends nothing twice; a failure is retried later.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core import clock


class Kind(models.TextChoices):
    MESSAGE = "message", _("New message")
    PHOTO = "photo", _("New photo of my child")
    DIARY = "diary", _("New diary page")
    DECISION = "decision", _("Request approved or rejected")
    NEWS = "news", _("News and newsletters")
    DEPARTURE = "departure", _("Departure and your data")


class EmailChoice(models.TextChoices):
    OFF = "off", _("No e-mail")
    INSTANT = "instant", _("An e-mail at once")
    DIGEST = "digest", _("In the daily summary")


# What a guardian gets before choosing: push for everything; photos in the daily summary.
DEFAULT_EMAIL: dict[str, str] = {
    Kind.MESSAGE: EmailChoice.INSTANT,
    Kind.PHOTO: EmailChoice.DIGEST,
    Kind.DIARY: EmailChoice.INSTANT,
    Kind.DECISION: EmailChoice.INSTANT,
    Kind.NEWS: EmailChoice.INSTANT,
    Kind.DEPARTURE: EmailChoice.INSTANT,
}


class Notification(models.Model):
    """One event for one person, as shown in the portal's list. The texts are written in the
    recipient's language when the event happens."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    key = models.CharField(max_length=100, help_text="The event, e.g. 'diary:12': one notification per event.")
    title = models.CharField(max_length=200)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=300, help_text="A path within the portal.")
    created_at = models.DateTimeField(default=clock.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="one_notification_per_event")]
        indexes = [models.Index(fields=["user", "-created_at", "-id"]), models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}: {self.title}"


class Preference(models.Model):
    """How one person wants one kind of notification. Without a row, the defaults apply."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_prefs")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    push = models.BooleanField(_("push"), default=True)
    email = models.CharField(_("e-mail"), max_length=10, choices=EmailChoice.choices)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="one_preference_per_kind")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}: push {self.push}, e-mail {self.email}"


class QuietHours(models.Model):
    """Push and instant e-mail wait until the quiet hours end; the digest comes at its hour."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="quiet_hours")
    start = models.TimeField(_("quiet from"), null=True, blank=True)
    end = models.TimeField(_("quiet until"), null=True, blank=True)
    digest_time = models.TimeField(_("daily summary at"), default=dt.time(19, 0))

    def __str__(self) -> str:
        return f"quiet hours of {self.user_id}: {self.start}-{self.end}"


class PushSubscription(models.Model):
    """A browser or phone that receives web push for this person (the PWA, or the app)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="push_subscriptions")
    endpoint = models.URLField(max_length=1000, unique=True)
    p256dh = models.CharField(max_length=200)
    auth = models.CharField(max_length=100)
    device_name = models.CharField(_("device"), max_length=100, blank=True)
    # The login it came with: logging out, ending that session or revoking that app login
    # stops the device's push, so a shared or handed-on phone shows nothing of the last user.
    session = models.ForeignKey("accounts.UserSession", null=True, blank=True, on_delete=models.CASCADE)
    api_token = models.ForeignKey("accounts.ApiToken", null=True, blank=True, on_delete=models.CASCADE)
    created_at = models.DateTimeField(default=clock.now)
    last_success_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"push for {self.user_id}: {self.device_name or self.endpoint[:40]}"


class VapidKey(models.Model):
    """The installation's VAPID key pair for web push, made on first use (unless settings give one)."""

    private_pem = models.TextField()
    public_key = models.CharField(max_length=200, help_text="URL-safe base64 of the uncompressed P-256 point.")
    created_at = models.DateTimeField(default=clock.now)

    def __str__(self) -> str:
        return f"VAPID key {self.public_key[:12]}…"


class Delivery(models.Model):
    class Channel(models.TextChoices):
        PUSH = "push", _("push")
        EMAIL = "email", _("e-mail")
        DIGEST = "digest", _("daily summary")

    class State(models.TextChoices):
        PENDING = "pending", _("waiting")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("sent")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("not needed")

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="deliveries")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    subscription = models.ForeignKey(PushSubscription, null=True, blank=True, on_delete=models.CASCADE)
    state = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    due_at = models.DateTimeField(default=clock.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True, help_text="When the last attempt began.")
    last_error = models.CharField(max_length=300, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"],
                condition=models.Q(subscription__isnull=True),
                name="one_mail_delivery_per_channel",
            ),
            models.UniqueConstraint(
                fields=["notification", "subscription"],
                condition=models.Q(subscription__isnull=False),
                name="one_push_delivery_per_device",
            ),
        ]
        indexes = [models.Index(fields=["state", "due_at"])]

    def __str__(self) -> str:
        return f"{self.channel} of notification {self.notification_id} ({self.state})"
