"""Real image and video files for the tests, made on the spot (Pillow, pillow-heif, ffmpeg)."""

from __future__ import annotations

import io
import subprocess
import tempfile
from functools import cache
from pathlib import Path

from PIL import Image, ImageDraw

GPS_IFD = 0x8825
ORIENTATION = 0x0112


def picture(width=1200, height=800, colour=(240, 180, 60)) -> Image.Image:
    image = Image.new("RGB", (width, height), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((width // 4, height // 4, width // 2, height // 2), fill=(30, 120, 200))
    draw.rectangle((0, 0, width // 10, height), fill=(200, 40, 40))  # a red band on the left edge
    return image


def jpeg_with_gps(**kwargs) -> bytes:
    image = picture(**kwargs)
    exif = Image.Exif()
    exif[0x010F] = "Telefoonfabrikant"  # Make
    exif[0x0110] = "Model X"  # Model
    gps = exif.get_ifd(GPS_IFD)
    gps[1] = "N"
    gps[2] = (52.0, 5.0, 30.0)  # Utrecht
    gps[3] = "E"
    gps[4] = (5.0, 7.0, 10.0)
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif, quality=90)
    return buffer.getvalue()


def rotated_jpeg() -> bytes:
    """Stored landscape (1200 x 800) with orientation 6: it should be shown portrait."""
    exif = Image.Exif()
    exif[ORIENTATION] = 6
    buffer = io.BytesIO()
    picture().save(buffer, "JPEG", exif=exif)
    return buffer.getvalue()


def heic() -> bytes:
    import pillow_heif

    buffer = io.BytesIO()
    pillow_heif.from_pillow(picture(800, 600)).save(buffer, quality=80)
    return buffer.getvalue()


def png(width=640, height=480) -> bytes:
    buffer = io.BytesIO()
    picture(width, height).save(buffer, "PNG")
    return buffer.getvalue()


def decompression_bomb() -> bytes:
    """A small PNG file that would unpack to 400 million pixels."""
    buffer = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(buffer, "PNG", optimize=True)
    return buffer.getvalue()


@cache
def mp4(seconds: float = 2.0, container: str = "mp4") -> bytes:
    import imageio_ffmpeg

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"clip.{container}"
        subprocess.run(
            [
                imageio_ffmpeg.get_ffmpeg_exe(),
                "-hide_banner",
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                f"testsrc=duration={seconds}:size=640x360:rate=25",
                "-f",
                "lavfi",
                "-i",
                f"sine=frequency=440:duration={seconds}",
                "-shortest",
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                "-c:a",
                "aac",
                "-metadata",
                "location=+52.0900+005.1200/",
                "-metadata",
                "title=Geheim",
                str(out),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return out.read_bytes()


def pdf_document(text: str = "Hallo") -> bytes:
    """A small, valid PDF document."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    out.write(f"% {text}\n".encode())
    return out.getvalue()
