"""Private file storage: photos, videos, message and news attachments, diary PDFs and exports.

No web server serves it; files leave only through `portal.core.files`, after the access policy
said yes. Which storage it is comes from the settings (`STORAGES["private"]`): a local folder by
default (`make run`), an S3 bucket in production (`PRIVATE_STORAGE=s3`, docs/scaling.md).
"""

from __future__ import annotations

from django.core.files.storage import Storage, storages
from django.utils.functional import LazyObject


class _PrivateStorage(LazyObject):
    """The configured private storage, looked up on use (so that tests that change
    `STORAGES` reach the model fields too, which keep this object)."""

    def _setup(self) -> None:
        self._wrapped = storages["private"]

    def __getattr__(self, name):
        # Not cached: `storages` keeps the instance, and forgets it when the setting changes.
        return getattr(storages["private"], name)


_private = _PrivateStorage()


def private_storage() -> Storage:
    """The storage of protected files (a callable, so that migrations do not record a path)."""
    return _private  # type: ignore[return-value]


def is_object_storage() -> bool:
    """True when the private files are in an S3 bucket rather than in a local folder."""
    return hasattr(storages["private"], "bucket_name")
