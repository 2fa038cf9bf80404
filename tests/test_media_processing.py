"""Processing with real files: metadata removed (checked by reading the output back with
Pillow and ffmpeg), orientation applied, HEIC read, broken and hostile files refused."""

import io
import subprocess
import tempfile
from pathlib import Path

import pytest
from PIL import Image, ImageOps

from portal.media import processing
from portal.media.processing import MediaRejected
from tests import media_files


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):
        yield


def outputs_by_name(outputs):
    return {o.name: o for o in outputs}


def test_gps_and_camera_data_are_removed():
    source = media_files.jpeg_with_gps()
    assert Image.open(io.BytesIO(source)).getexif().get_ifd(media_files.GPS_IFD)  # the source has GPS
    for output in processing.process_photo(source):
        image = Image.open(io.BytesIO(output.content))
        exif = image.getexif()
        assert len(exif) == 0 and not exif.get_ifd(media_files.GPS_IFD), output.name
        assert "exif" not in image.info and "xmp" not in image.info
        assert b"Telefoonfabrikant" not in output.content


def test_renditions_and_sizes():
    outputs = outputs_by_name(processing.process_photo(media_files.jpeg_with_gps(width=3000, height=2000)))
    assert (outputs["original"].width, outputs["original"].height) == (3000, 2000)
    assert max(outputs["screen"].width, outputs["screen"].height) == processing.SCREEN_SIZE
    assert max(outputs["thumb"].width, outputs["thumb"].height) == processing.THUMBNAIL_SIZE


def test_exif_orientation_is_kept_as_the_only_tag_and_the_renditions_are_turned_upright():
    outputs = outputs_by_name(processing.process_photo(media_files.rotated_jpeg()))
    original = outputs["original"]
    assert (original.width, original.height) == (800, 1200)  # as shown
    stored = Image.open(io.BytesIO(original.content))
    assert dict(stored.getexif()) == {media_files.ORIENTATION: 6}  # nothing else of the EXIF
    upright = ImageOps.exif_transpose(stored).convert("RGB")
    # The red band on the stored image's left edge is at the top once turned upright (90° clockwise).
    assert upright.size == (800, 1200)
    assert upright.getpixel((400, 5))[1] < 100 and upright.getpixel((400, 600))[1] > 150
    screen = Image.open(io.BytesIO(outputs["screen"].content)).convert("RGB")
    assert screen.size == (800, 1200) and len(screen.getexif()) == 0
    assert screen.getpixel((400, 5))[1] < 100 and screen.getpixel((400, 600))[1] > 150


def test_the_original_keeps_the_compressed_image_data_of_the_upload():
    source = media_files.jpeg_with_gps(width=1600, height=1200)
    original = outputs_by_name(processing.process_photo(source))["original"].content
    scan = source.index(b"\xff\xda")
    assert original[original.index(b"\xff\xda") :] == source[scan:]  # the same pixels, not re-encoded
    assert len(original) < len(source) and b"Telefoonfabrikant" not in original


def test_a_jpeg_that_is_cut_off_is_refused():
    source = media_files.jpeg_with_gps(width=1600, height=1200)
    with pytest.raises(processing.MediaRejected):
        processing.process_photo(source[: len(source) // 2])


def test_heic_from_an_iphone():
    kind = processing.check_upload("IMG_0001.HEIC", 1000, media_files.heic()[:16])
    assert kind == "photo"
    original = outputs_by_name(processing.process_photo(media_files.heic()))["original"]
    assert Image.open(io.BytesIO(original.content)).format == "JPEG" and original.width == 800


def test_png():
    assert processing.process_photo(media_files.png())[0].content_type == "image/jpeg"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("leeg.jpg", b"", "0 bytes"),
        ("brief.jpg", b"Beste ouders, morgen is er geen opvang.\n" * 20, "not a photo or video"),
        ("script.mp4", b"#!/bin/sh\necho hallo\n", "not a photo or video"),
    ],
)
def test_files_that_are_not_what_they_say(name, content, message, settings):
    with pytest.raises(MediaRejected, match=message):
        processing.check_upload(name, len(content), content[:16])


def test_a_file_that_is_too_large(settings):
    settings.MEDIA_MAX_PHOTO_BYTES = 1000
    source = media_files.png()
    with pytest.raises(MediaRejected, match="too large"):
        processing.check_upload("groot.png", len(source), source[:16])


def test_a_truncated_photo():
    import weasyprint  # noqa: F401 - it lets Pillow accept truncated images process-wide
    from PIL import ImageFile

    assert ImageFile.LOAD_TRUNCATED_IMAGES
    source = media_files.jpeg_with_gps()
    with pytest.raises(MediaRejected, match="damaged or incomplete"):
        processing.process_photo(source[: len(source) // 3])


def test_a_decompression_bomb():
    bomb = media_files.decompression_bomb()
    assert len(bomb) < 200_000
    with pytest.raises(MediaRejected, match="too many pixels"):
        processing.process_photo(bomb)


def test_a_real_video_becomes_h264_mp4_without_metadata_with_a_poster():
    outputs, duration = processing.process_video(media_files.mp4())
    assert 1.9 <= duration <= 2.1
    named = outputs_by_name(outputs)
    assert set(named) == {"video", "poster", "thumb"}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "out.mp4"
        path.write_bytes(named["video"].content)
        info = subprocess.run(
            [processing.ffmpeg(), "-hide_banner", "-i", str(path)], capture_output=True, text=True, check=False
        ).stderr
    assert "Video: h264" in info and "yuv420p" in info
    assert "location" not in info and "Geheim" not in info
    assert Image.open(io.BytesIO(named["poster"].content)).format == "JPEG"


def test_a_mov_from_a_phone_is_accepted():
    mov = media_files.mp4(1.0, "mov")
    assert processing.check_upload("IMG_0002.MOV", len(mov), mov[:16]) == "video"


def test_a_video_that_is_too_long(settings):
    settings.MEDIA_MAX_VIDEO_SECONDS = 1
    with pytest.raises(MediaRejected, match="too long"):
        processing.process_video(media_files.mp4())


def test_a_broken_video():
    with pytest.raises(MediaRejected, match="damaged"):
        processing.process_video(media_files.mp4()[:4000])
