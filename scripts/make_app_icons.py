"""Draw the app icons (PNG) from the shapes of static/img/icon.svg with Pillow.

Run once after changing the icon: `.venv/bin/python scripts/make_app_icons.py`; the PNGs are
committed. Makes icon-192.png and icon-512.png (rounded, transparent corners: the manifest's
"any" icons), icon-maskable-512.png (full bleed, the drawing inside the 80% safe zone: Android's
shaped icons) and apple-touch-icon.png (180 px, square: iOS rounds the corners itself).
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "static" / "img"

# static/img/icon.svg, viewBox 0 0 64 64.
GREEN = (0x0B, 0x6E, 0x4F, 255)
WHITE = (255, 255, 255, 255)
YELLOW = (0xF0, 0xB4, 0x29, 255)
SUPERSAMPLE = 4


def _cubic(p0, p1, p2, p3, steps=48):
    points = []
    for i in range(steps + 1):
        t = i / steps
        u = 1 - t
        points.append(
            (
                u**3 * p0[0] + 3 * u * u * t * p1[0] + 3 * u * t * t * p2[0] + t**3 * p3[0],
                u**3 * p0[1] + 3 * u * u * t * p1[1] + 3 * u * t * t * p2[1] + t**3 * p3[1],
            )
        )
    return points


# The shoulders: M10 54 c2-10 8-15 14-15 s12 5 14 15 z
SHOULDERS = _cubic((10, 54), (12, 44), (18, 39), (24, 39)) + _cubic((24, 39), (30, 39), (36, 44), (38, 54))


def draw(size: int, *, rounded: bool, scale: float = 1.0) -> Image.Image:
    """The icon at `size` px; `scale` < 1 shrinks the drawing (not the background) around the centre."""
    big = size * SUPERSAMPLE
    unit = big / 64
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if rounded:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=14 * unit, fill=GREEN)
    else:
        pen.rectangle((0, 0, big, big), fill=GREEN)

    def at(x: float, y: float) -> tuple[float, float]:
        return ((32 + (x - 32) * scale) * unit, (32 + (y - 32) * scale) * unit)

    def circle(cx: float, cy: float, r: float, fill) -> None:
        x, y = at(cx, cy)
        radius = r * scale * unit
        pen.ellipse((x - radius, y - radius, x + radius, y + radius), fill=fill)

    circle(24, 26, 9, WHITE)
    circle(42, 32, 7, YELLOW)
    pen.polygon([at(x, y) for x, y in SHOULDERS], fill=WHITE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    draw(192, rounded=True).save(OUT / "icon-192.png", optimize=True)
    draw(512, rounded=True).save(OUT / "icon-512.png", optimize=True)
    draw(512, rounded=False, scale=0.8).save(OUT / "icon-maskable-512.png", optimize=True)
    draw(180, rounded=False).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    print("icons written to", OUT)


if __name__ == "__main__":
    main()
