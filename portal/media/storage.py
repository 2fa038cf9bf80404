"""Private file storage: a folder that no web server serves; files leave only through
`portal.media.views`, after the access policy said yes."""

from django.conf import settings
from django.core.files.storage import FileSystemStorage


def private_storage() -> FileSystemStorage:
    """The storage of photos and videos (a callable, so that migrations do not record a path)."""
    return FileSystemStorage(location=settings.PRIVATE_MEDIA_ROOT, base_url=None)
