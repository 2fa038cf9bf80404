"""Checking and processing uploaded photos and videos.

Every file is recognised by its content, not by its name. Photos (JPEG, PNG, HEIC/HEIF) are
turned the right way up (EXIF orientation) and saved again without any metadata (no GPS, no
camera, no date): an original-quality JPEG, a screen-size and a thumbnail. Videos (MP4, MOV)
are converted with ffmpeg (from imageio-ffmpeg) to H.264 MP4 without metadata, with a poster.
Limits refuse with a message: file size, pixel count (decompression bombs), video length.
"""

from __future__ import annotations

import io
import re
import struct
import subprocess
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _
from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError

PHOTO_FORMATS = {"JPEG", "PNG", "HEIF", "MPO"}
VIDEO_BRANDS = (b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"qt  ", b"M4V ", b"MSNV", b"3gp4", b"3gp5", b"dash")
SCREEN_SIZE = 1600
# ffmpeg reads only the uploaded file: the MP4/MOV reader, local files, no external references.
SAFE_INPUT = ["-f", "mov", "-protocol_whitelist", "file", "-enable_drefs", "0"]
THUMBNAIL_SIZE = 480


class MediaRejected(Exception):
    """The file is refused; the message says why, in words for the person who sent it."""


@dataclass
class Output:
    name: str
    content: bytes
    content_type: str
    width: int | None = None
    height: int | None = None


def sniff_kind(head: bytes) -> str | None:
    """'photo', 'video' or None, from the first bytes of the file."""
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "photo"
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in (b"heic", b"heix", b"hevc", b"heim", b"heis", b"mif1", b"msf1", b"avif"):
            return "photo"
        if brand in VIDEO_BRANDS or brand.startswith(b"3g"):
            return "video"
    return None


def check_upload(name: str, size: int, head: bytes) -> str:
    """Refuse what is certainly wrong before storing anything; returns the kind."""
    if size == 0:
        raise MediaRejected(_("%(name)s is empty (0 bytes).") % {"name": name})
    kind = sniff_kind(head)
    if kind is None:
        raise MediaRejected(
            _("%(name)s is not a photo or video we can use (JPEG, PNG, HEIC, MP4 or MOV).") % {"name": name}
        )
    limit = settings.MEDIA_MAX_PHOTO_BYTES if kind == "photo" else settings.MEDIA_MAX_VIDEO_BYTES
    if size > limit:
        raise MediaRejected(
            _("%(name)s is too large: at most %(limit)d MB for a %(kind)s.")
            % {"name": name, "limit": limit // (1024 * 1024), "kind": _("photo") if kind == "photo" else _("video")}
        )
    return kind


def _jpeg(image: Image.Image, quality: int) -> bytes:
    buffer = io.BytesIO()
    # A new image with only the pixels: no EXIF, no XMP, no ICC comments, no GPS.
    image.save(buffer, "JPEG", quality=quality, optimize=True, progressive=True)
    return buffer.getvalue()


def _resized(image: Image.Image, longest: int) -> Image.Image:
    copy = image.copy()
    # reducing_gap: a fast box reduction first, then Lanczos; the result is indistinguishable.
    copy.thumbnail((longest, longest), Image.Resampling.LANCZOS, reducing_gap=3.0)
    return copy


def process_photo(data: bytes) -> list[Output]:
    # WeasyPrint (the diary's PDF) lets Pillow accept truncated images process-wide; a photo
    # that did not arrive whole must be refused here, so this is switched off while we read.
    previous = ImageFile.LOAD_TRUNCATED_IMAGES
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    try:
        return _process_photo(data)
    finally:
        ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _process_photo(data: bytes) -> list[Output]:
    Image.MAX_IMAGE_PIXELS = settings.MEDIA_MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as opened:
            if opened.format not in PHOTO_FORMATS:
                raise MediaRejected(_("This file is not a JPEG, PNG or HEIC photo."))
            if opened.width * opened.height > settings.MEDIA_MAX_PIXELS:
                raise MediaRejected(
                    _("The photo has too many pixels (%(width)d × %(height)d).")
                    % {"width": opened.width, "height": opened.height}
                )
            upright = ImageOps.exif_transpose(opened)
            upright.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise MediaRejected(_("The photo has too many pixels.")) from exc
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        EOFError,
        RuntimeError,
        struct.error,
        zlib.error,
    ) as exc:
        raise MediaRejected(_("The photo is damaged or incomplete; please send it again.")) from exc
    clean = upright.convert("RGB")
    clean.info = {}  # nothing of the source goes along: no EXIF, XMP, ICC profile or comments
    outputs = [Output("original", _jpeg(clean, 92), "image/jpeg", *clean.size)]
    screen = _resized(clean, SCREEN_SIZE)
    thumb = _resized(screen, THUMBNAIL_SIZE)  # from the screen size: far fewer pixels to read
    outputs.append(Output("screen", _jpeg(screen, 85), "image/jpeg", *screen.size))
    outputs.append(Output("thumb", _jpeg(thumb, 80), "image/jpeg", *thumb.size))
    return outputs


def ffmpeg() -> str:
    import imageio_ffmpeg

    return imageio_ffmpeg.get_ffmpeg_exe()


def _probe_duration(path: Path) -> float:
    result = subprocess.run(  # noqa: S603 - a fixed binary and our own temporary file
        [ffmpeg(), "-hide_banner", *SAFE_INPUT, "-i", str(path)], capture_output=True, text=True, timeout=60
    )
    match = re.search(r"Duration: (\d+):(\d+):(\d+(?:\.\d+)?)", result.stderr)
    if not match or "Video:" not in result.stderr:
        raise MediaRejected(_("The video is damaged or incomplete; please send it again."))
    hours, minutes, seconds = match.groups()
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def process_video(data: bytes) -> tuple[list[Output], float]:
    try:
        return _process_video(data)
    except subprocess.TimeoutExpired as exc:
        raise MediaRejected(_("The video took too long to process; try a shorter one.")) from exc


def _process_video(data: bytes) -> tuple[list[Output], float]:
    with tempfile.TemporaryDirectory(prefix="ouderportaal-video-") as folder:
        source = Path(folder) / "source"
        source.write_bytes(data)
        duration = _probe_duration(source)
        if duration > settings.MEDIA_MAX_VIDEO_SECONDS:
            raise MediaRejected(
                _("The video is too long: at most %(seconds)d seconds.") % {"seconds": settings.MEDIA_MAX_VIDEO_SECONDS}
            )
        mp4 = Path(folder) / "video.mp4"
        poster = Path(folder) / "poster.jpg"
        common = [
            ffmpeg(),
            "-hide_banner",
            "-loglevel",
            "error",
            "-y",
            *SAFE_INPUT,
            "-i",
            str(source),
            "-map_metadata",
            "-1",
        ]
        convert = subprocess.run(  # noqa: S603
            [
                *common,
                "-map",
                "0:v:0",
                "-map",
                "0:a:0?",
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-crf",
                "26",
                "-pix_fmt",
                "yuv420p",
                "-vf",
                "scale='min(1280,iw)':-2",
                "-c:a",
                "aac",
                "-b:a",
                "128k",
                "-movflags",
                "+faststart",
                "-metadata:s",
                "handler_name=",
                str(mp4),
            ],
            capture_output=True,
            timeout=600,
        )
        if convert.returncode != 0 or not mp4.exists():
            raise MediaRejected(_("The video is damaged or incomplete; please send it again."))
        frame = subprocess.run(  # noqa: S603
            [*common, "-ss", str(min(1.0, duration / 2)), "-frames:v", "1", "-q:v", "3", str(poster)],
            capture_output=True,
            timeout=120,
        )
        if frame.returncode != 0 or not poster.exists():
            raise MediaRejected(_("The video is damaged or incomplete; please send it again."))
        poster_outputs = process_photo(poster.read_bytes())
        outputs = [Output("video", mp4.read_bytes(), "video/mp4", poster_outputs[0].width, poster_outputs[0].height)]
        outputs += [
            Output("poster", o.content, o.content_type, o.width, o.height) for o in poster_outputs if o.name == "screen"
        ]
        outputs += [o for o in poster_outputs if o.name == "thumb"]
        return outputs, duration
