"""The diary (schriftje): a child's daily notebook, written by staff and by guardians."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core import clock
from portal.core.scoping import TenantManager
from portal.media.storage import private_storage


class DiaryEntry(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("draft")
        PUBLISHED = "published", _("published")

    class Mood(models.TextChoices):
        HAPPY = "happy", _("happy")
        CALM = "calm", _("calm")
        TIRED = "tired", _("tired")
        GRUMPY = "grumpy", _("grumpy")
        UNWELL = "unwell", _("not feeling well")

    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="diary_entries")
    group = models.ForeignKey("organisations.Group", null=True, on_delete=models.SET_NULL, related_name="+")
    date = models.DateField(_("day"), db_index=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    by_guardian = models.BooleanField(default=False)
    text = models.TextField(_("text"), blank=True)
    # Care notes of a baby's day, as quick inputs: lists of times and amounts.
    sleeps = models.JSONField(default=list, blank=True)  # [{"from": "09:30", "to": "11:00"}]
    feeds = models.JSONField(default=list, blank=True)  # [{"time": "10:00", "what": "fles", "ml": 150}]
    nappies = models.JSONField(default=list, blank=True)  # [{"time": "11:15", "kind": "wet"}]
    mood = models.CharField(_("mood"), max_length=20, choices=Mood.choices, blank=True)
    media = models.ForeignKey("media.MediaItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    state = models.CharField(max_length=20, choices=State.choices, default=State.DRAFT, db_index=True)
    created_at = models.DateTimeField(default=clock.now)
    published_at = models.DateTimeField(null=True, blank=True)

    TENANT_PATH = "child__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["-date", "-id"]
        indexes = [models.Index(fields=["child", "state", "-date"])]

    def __str__(self) -> str:
        return f"diary of {self.child} on {self.date}"

    @property
    def has_care_notes(self) -> bool:
        return bool(self.sleeps or self.feeds or self.nappies or self.mood)


class DiaryReply(models.Model):
    entry = models.ForeignKey(DiaryEntry, on_delete=models.CASCADE, related_name="replies")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField(_("reply"))
    created_at = models.DateTimeField(default=clock.now)

    TENANT_PATH = "entry__child__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"reply on {self.entry_id}"


class DiaryTemplate(models.Model):
    """A text staff start an entry from ("We hebben vandaag buiten gespeeld…")."""

    group = models.ForeignKey("organisations.Group", on_delete=models.CASCADE, related_name="diary_templates")
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"))

    TENANT_PATH = "group__location__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["title"]

    def __str__(self) -> str:
        return self.title


class DiaryExport(models.Model):
    """A PDF of (part of) a child's diary, made in the background for long diaries."""

    child = models.ForeignKey("children.Child", on_delete=models.CASCADE, related_name="diary_exports")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    requested_at = models.DateTimeField(default=clock.now)
    first_day = models.DateField(null=True, blank=True)
    last_day = models.DateField(null=True, blank=True)
    file = models.FileField(storage=private_storage, upload_to="diary/", blank=True)
    pages = models.PositiveIntegerField(null=True)
    error = models.CharField(max_length=300, blank=True)

    TENANT_PATH = "child__organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"diary PDF of {self.child}"
