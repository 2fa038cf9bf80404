"""Photos and a short video for the demo organisation: drawn on the spot, with GPS data in the
source files (as a phone would write it), processed like any upload so the metadata is gone."""

from __future__ import annotations

import io
import random
import subprocess
import tempfile
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

SCENES = [
    ("Buiten spelen in de zandbak", (135, 200, 235), (120, 190, 90)),
    ("Verven met vingerverf", (250, 240, 220), (230, 200, 160)),
    ("Samen een boekje lezen", (255, 245, 230), (200, 170, 140)),
    ("Fruit eten aan tafel", (245, 235, 215), (210, 160, 110)),
    ("Bellen blazen in de tuin", (150, 210, 245), (110, 180, 80)),
    ("Bouwen met blokken", (240, 240, 250), (190, 150, 120)),
    ("Dansen op muziek", (255, 225, 235), (220, 180, 190)),
    ("Wandelen naar de eendjes", (160, 205, 240), (100, 170, 100)),
]


def drawn_photo(rng: random.Random, sky, ground) -> bytes:
    width, height = 1600, 1200
    image = Image.new("RGB", (width, height), sky)
    draw = ImageDraw.Draw(image)
    horizon = int(height * rng.uniform(0.55, 0.7))
    for y in range(horizon):  # a soft gradient
        shade = tuple(int(c * (0.85 + 0.15 * y / horizon)) for c in sky)
        draw.line([(0, y), (width, y)], fill=shade)
    draw.rectangle((0, horizon, width, height), fill=ground)
    for _ in range(rng.randint(6, 12)):
        x, y, r = rng.randint(0, width), rng.randint(horizon - 200, height), rng.randint(30, 120)
        colour = tuple(rng.randint(40, 250) for _ in range(3))
        draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)
    for _ in range(rng.randint(2, 4)):  # children, in a child's drawing style
        x = rng.randint(150, width - 150)
        body = tuple(rng.randint(60, 230) for _ in range(3))
        draw.ellipse((x - 45, horizon - 260, x + 45, horizon - 170), fill=(240, 200, 170))
        draw.rectangle((x - 55, horizon - 170, x + 55, horizon - 40), fill=body)
        draw.line((x - 30, horizon - 40, x - 40, horizon + 40), fill=(60, 60, 60), width=14)
        draw.line((x + 30, horizon - 40, x + 40, horizon + 40), fill=(60, 60, 60), width=14)
    exif = Image.Exif()
    exif[0x010F] = "Demo Phone"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2], gps[3], gps[4] = "N", (52.0, 5.0, 27.0), "E", (5.0, 7.0, 18.0)  # Utrecht
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=88, exif=exif)
    return buffer.getvalue()


def demo_video() -> bytes:
    from portal.media.processing import ffmpeg

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "demo.mp4"
        subprocess.run(  # noqa: S603 - a fixed binary writing to our own temporary folder
            [
                ffmpeg(),
                "-hide_banner",
                "-loglevel",
                "error",
                "-f",
                "lavfi",
                "-i",
                "mandelbrot=size=640x360:rate=25",
                "-t",
                "4",
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                "-metadata",
                "location=+52.0900+005.1200/",
                str(out),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
        return out.read_bytes()


def load_demo_media(groups: list, staff, featured: list) -> int:
    """Share the demo photos on the baby and toddler groups, tagged, and process them now."""
    from portal.media.services import media_process, media_receive, taggable_children

    rng = random.Random(11)
    count = 0
    for group in groups:
        children = [c for c in taggable_children(group) if c.photo_consent]
        for index, (caption, sky, ground) in enumerate(SCENES):
            tagged = set(rng.sample(children, k=min(len(children), rng.randint(1, 3))))
            if index < 5:  # the demo families' children are on the first photos
                tagged.update(c for c in featured if c in children)
            upload = SimpleUploadedFile(f"IMG_{index:04d}.JPG", drawn_photo(rng, sky, ground), "image/jpeg")
            item, _created = media_receive(
                user=staff,
                group=group,
                upload=upload,
                upload_key=f"demo-{group.pk}-{index}",
                caption=caption,
                child_ids=[c.pk for c in tagged],
            )
            media_process(item.pk)
            count += 1
        video = SimpleUploadedFile("VID_0001.MP4", demo_video(), "video/mp4")
        item, _created = media_receive(
            user=staff,
            group=group,
            upload=video,
            upload_key=f"demo-{group.pk}-video",
            caption="Kijk eens wat een kleuren!",
            child_ids=sorted({c.pk for c in children[:2]} | {c.pk for c in featured if c in children}),
        )
        media_process(item.pk)
        count += 1
    return count
