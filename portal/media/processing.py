"""Checking and processing uploaded photos and videos.

Every file is recognised by its content, not by its name. Photos (JPEG, PNG, HEIC/HEIF) lose
all their metadata (no GPS, no camera, no date). A JPEG's original keeps its compressed image
data byte for byte (the original pixels, no re-encode): only the metadata segments are cut out,
and an EXIF orientation other than "upright" stays as the one tag left, so that it shows the
right way up; PNG and HEIC are turned upright and saved as a new JPEG. The screen size and the
thumbnail are decoded in JPEG draft mode (the decoder scales down by 1/2, 1/4 or 1/8 as it
reads), turned upright and saved without metadata. Videos (MP4, MOV)
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
            orientation = opened.getexif().get(ORIENTATION, 1)
            if orientation not in range(1, 9):
                orientation = 1
            full = (opened.height, opened.width) if orientation in SIDEWAYS else opened.size
            is_jpeg = opened.format in ("JPEG", "MPO")
            if is_jpeg:
                # Draft mode: the decoder scales by 1/2, 1/4 or 1/8 while decoding (the DCT
                # does it), never below the screen size; the whole file is still read, so a
                # damaged one is refused as before.
                longest = max(opened.size)
                if longest > SCREEN_SIZE:  # (each side at least its share of the screen size)
                    width, height = (-(-side * SCREEN_SIZE // longest) for side in opened.size)
                    opened.draft("RGB", (width, height))
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
    original = strip_jpeg(data, orientation) if is_jpeg else None
    if original is None:  # PNG, HEIC, or a JPEG whose structure we do not follow: encode anew
        original, full = _jpeg(clean, 92), clean.size
    outputs = [Output("original", original, "image/jpeg", *full)]
    screen = _resized(clean, SCREEN_SIZE)
    thumb = _resized(screen, THUMBNAIL_SIZE)  # from the screen size: far fewer pixels to read
    outputs.append(Output("screen", _jpeg(screen, 85), "image/jpeg", *screen.size))
    outputs.append(Output("thumb", _jpeg(thumb, 80), "image/jpeg", *thumb.size))
    return outputs


ORIENTATION = 0x0112
SIDEWAYS = {5, 6, 7, 8}  # orientations that swap width and height
# Segments kept from a JPEG: the image itself (tables, frame, scans) and Adobe's colour
# transform flag (APP14), which decoders need for CMYK photos. Dropped: APP0-APP13 and APP15
# (JFIF, EXIF with GPS and camera, XMP, ICC, maker notes, thumbnails) and comments.
_DROPPED = set(range(0xE0, 0xF0)) | {0xFE}
_ADOBE = 0xEE
_STANDALONE = set(range(0xD0, 0xD8)) | {0x01}  # RSTn, TEM: no length


def strip_jpeg(data: bytes, orientation: int = 1) -> bytes | None:
    """The JPEG with its compressed image data as it is (the original pixels, no re-encode) and
    none of its metadata; with an orientation other than 1 that tag alone is kept, so that the
    photo shows upright. None when the file does not follow the JPEG structure we expect."""
    if not data.startswith(b"\xff\xd8"):
        return None
    out = [b"\xff\xd8"]
    if orientation != 1:
        exif = Image.Exif()
        exif[ORIENTATION] = orientation
        payload = exif.tobytes()
        out.append(b"\xff\xe1" + struct.pack(">H", len(payload) + 2) + payload)
    position, length = 2, len(data)
    while position < length:
        if data[position] != 0xFF:
            return None
        marker = data[position + 1] if position + 1 < length else -1
        if marker == 0xFF:  # fill byte
            position += 1
            continue
        if marker == 0xD9:  # end of image: anything after it (MPO's extra pictures) is left out
            out.append(b"\xff\xd9")
            return b"".join(out)
        if marker in _STANDALONE or marker < 0:
            return None
        (size,) = struct.unpack(">H", data[position + 2 : position + 4])
        end = position + 2 + size
        if size < 2 or end > length:
            return None
        segment = data[position:end]
        if marker not in _DROPPED or (marker == _ADOBE and segment[4:9] == b"Adobe"):
            out.append(segment)
        position = end
        if marker == 0xDA:  # a scan: its entropy-coded data runs to the next marker
            scan_end = _next_marker(data, position)
            if scan_end is None:
                return None
            out.append(data[position:scan_end])
            position = scan_end
    return None  # no end-of-image marker: not a whole JPEG


def _next_marker(data: bytes, position: int) -> int | None:
    """The position of the next marker after entropy-coded data (skips stuffed 0xFF00 bytes and
    restart markers, which belong to the data)."""
    while True:
        found = data.find(b"\xff", position)
        if found < 0 or found + 1 >= len(data):
            return None
        following = data[found + 1]
        if following == 0x00 or 0xD0 <= following <= 0xD7 or following == 0xFF:
            position = found + 1 if following == 0xFF else found + 2
            continue
        return found


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
