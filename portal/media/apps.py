from django.apps import AppConfig


class MediaConfig(AppConfig):
    name = "portal.media"
    label = "media"

    def ready(self):
        from pillow_heif import register_heif_opener

        register_heif_opener()  # iPhone photos (HEIC/HEIF) open like any other image
