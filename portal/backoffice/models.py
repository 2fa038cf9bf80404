from django.conf import settings
from django.db import models

from portal.core import clock
from portal.core.scoping import TenantManager


class ImportBatch(models.Model):
    """An uploaded CSV file, kept between its preview and the admin's confirmation."""

    organisation = models.ForeignKey("organisations.Organisation", on_delete=models.CASCADE, related_name="imports")
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(default=clock.now)
    filename = models.CharField(max_length=200)
    content = models.BinaryField()
    applied_at = models.DateTimeField(null=True, blank=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    TENANT_PATH = "organisation"
    objects = TenantManager()

    class Meta:
        ordering = ["-uploaded_at"]

    def __str__(self) -> str:
        return f"{self.filename} ({self.uploaded_at:%Y-%m-%d %H:%M})"
