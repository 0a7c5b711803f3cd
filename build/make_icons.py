"""Draw the application icon and write it for every platform into resources/icons/.

A white first-aid cross on a green rounded square, drawn once at 1024 px and scaled down:
PNGs for Qt (window and About dialog), ``rft.ico`` for Windows, ``rft.icns`` for macOS.
Run it after changing the design and commit the results: ``python build/make_icons.py``.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

ICONS = Path(__file__).resolve().parent.parent / "resources" / "icons"
PNG_SIZES = (16, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 24, 32, 48, 64, 128, 256)
GREEN = (0, 122, 61, 255)
WHITE = (255, 255, 255, 255)
MASTER = 1024


def draw_master() -> Image.Image:
    """The design at full size; small sizes are downsampled from it."""
    image = Image.new("RGBA", (MASTER, MASTER), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    margin = MASTER // 16
    pen.rounded_rectangle(
        (margin, margin, MASTER - margin, MASTER - margin), radius=MASTER // 5, fill=GREEN
    )
    half_arm, centre, reach = MASTER // 10, MASTER // 2, MASTER * 5 // 16
    near, far = centre - half_arm, centre + half_arm
    pen.rectangle((near, centre - reach, far, centre + reach), fill=WHITE)
    pen.rectangle((centre - reach, near, centre + reach, far), fill=WHITE)
    return image


def main() -> None:
    ICONS.mkdir(parents=True, exist_ok=True)
    master = draw_master()
    for size in PNG_SIZES:
        master.resize((size, size), Image.Resampling.LANCZOS).save(
            ICONS / f"rft-{size}.png", optimize=True
        )
    master.save(ICONS / "rft.ico", sizes=[(s, s) for s in ICO_SIZES])
    master.save(ICONS / "rft.icns")
    for path in sorted(ICONS.iterdir()):
        print(f"{path.name}: {path.stat().st_size} bytes")


if __name__ == "__main__":
    main()
