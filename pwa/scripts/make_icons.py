"""Draw the JXC app icons (stacked stock crates on the brand blue).

Run from pwa/:  python scripts/make_icons.py   (needs Pillow)
Writes public/icons/{icon-192,icon-512,icon-maskable-512,apple-touch-icon}.png
"""
from pathlib import Path

from PIL import Image, ImageDraw

BRAND = (22, 119, 255, 255)
WHITE = (255, 255, 255, 255)
SCALE = 4  # draw large, downsample, for smooth edges
OUT = Path(__file__).resolve().parent.parent / "public" / "icons"


def crate(draw, x, y, w, h, r, line):
    """One crate: white outline with a lid line and a centre strap."""
    draw.rounded_rectangle((x, y, x + w, y + h), radius=r, outline=WHITE, width=line)
    draw.line((x, y + h * 0.3, x + w, y + h * 0.3), fill=WHITE, width=line)
    draw.line((x + w / 2, y, x + w / 2, y + h * 0.55), fill=WHITE, width=line)


def draw_icon(size, *, maskable):
    big = size * SCALE
    img = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    if maskable:
        # Full bleed: the platform applies its own mask shape.
        draw.rectangle((0, 0, big, big), fill=BRAND)
        content = big * 0.62  # keep artwork inside the 80% safe circle
    else:
        draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.22, fill=BRAND)
        content = big * 0.72
    origin = (big - content) / 2
    line = max(2, round(content * 0.045))
    radius = content * 0.05
    cw, ch = content * 0.46, content * 0.42
    gap = content * 0.08
    top_x = origin + (content - cw) / 2
    crate(draw, top_x, origin + content * 0.04, cw, ch, radius, line)
    base_y = origin + content * 0.04 + ch + gap
    crate(draw, origin, base_y, cw, ch, radius, line)
    crate(draw, origin + content - cw, base_y, cw, ch, radius, line)
    return img.resize((size, size), Image.LANCZOS)


def main():
    OUT.mkdir(parents=True, exist_ok=True)
    draw_icon(192, maskable=False).save(OUT / "icon-192.png", optimize=True)
    draw_icon(512, maskable=False).save(OUT / "icon-512.png", optimize=True)
    draw_icon(512, maskable=True).save(OUT / "icon-maskable-512.png", optimize=True)
    # iOS ignores the manifest icons and masks its own corners, so use full bleed.
    draw_icon(180, maskable=True).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)


if __name__ == "__main__":
    main()
