"""Draw the demo product illustrations shipped in `app/static/demo/` (run once, commit the files).

    .venv/bin/python -m catalog.demo_photos

One 480×480 WebP per demo product (a few KB each): a flat illustration of the product's
shape (bottle, jar, basket, house…) in its group's colour, so the demo works offline and
never hotlinks. The seed never draws anything; it only points at these files.
"""

from __future__ import annotations

import colorsys
import math
import zlib
from pathlib import Path

from PIL import Image, ImageDraw

from catalog.demo import PHOTO_SIZE, PRODUCTS

STATIC = Path(__file__).resolve().parent.parent / "app" / "static"
SCALE = 2  # drawn at twice the size, then downsampled: smooth edges

# (background, foreground) per group.
PALETTE = {
    "food": ((253, 241, 220), (196, 104, 24)),
    "beverage": ((248, 229, 231), (138, 34, 52)),
    "herbal": ((229, 243, 227), (46, 122, 50)),
    "textile": ((231, 233, 247), (55, 71, 168)),
    "craft": ((243, 236, 224), (133, 92, 42)),
    "ornamental": ((232, 245, 233), (27, 94, 32)),
    "tourism": ((224, 241, 250), (2, 112, 178)),
}


def _shift(rgb: tuple[int, int, int], amount: float) -> tuple[int, int, int]:
    """The same colour with its hue turned a little (so products of a group differ)."""
    hue, lightness, saturation = colorsys.rgb_to_hls(*(c / 255 for c in rgb))
    r, g, b = colorsys.hls_to_rgb((hue + amount) % 1.0, lightness, saturation)
    return int(r * 255), int(g * 255), int(b * 255)


def _lighter(rgb: tuple[int, int, int], f: float = 0.45) -> tuple[int, int, int]:
    return tuple(int(c + (255 - c) * f) for c in rgb)  # type: ignore[return-value]


def _darker(rgb: tuple[int, int, int], f: float = 0.35) -> tuple[int, int, int]:
    return tuple(int(c * (1 - f)) for c in rgb)  # type: ignore[return-value]


class Canvas:
    """480×480 coordinates, drawn at SCALE."""

    def __init__(self, draw: ImageDraw.ImageDraw, fg, accent, dark):
        self.d, self.fg, self.accent, self.dark = draw, fg, accent, dark

    @staticmethod
    def _s(box):
        return [v * SCALE for v in box]

    def rect(self, box, fill, radius=0):
        self.d.rounded_rectangle(self._s(box), radius=radius * SCALE, fill=fill)

    def ellipse(self, box, fill):
        self.d.ellipse(self._s(box), fill=fill)

    def poly(self, points, fill):
        self.d.polygon([(x * SCALE, y * SCALE) for x, y in points], fill=fill)

    def line(self, points, fill, width):
        self.d.line([(x * SCALE, y * SCALE) for x, y in points], fill=fill, width=width * SCALE,
                    joint="curve")


def bottle(c: Canvas):
    c.rect((212, 96, 268, 150), c.dark, 6)
    c.rect((222, 140, 258, 190), c.fg, 4)
    c.poly([(222, 186), (258, 186), (300, 236), (180, 236)], c.fg)
    c.rect((180, 230, 300, 392), c.fg, 18)
    c.rect((192, 270, 288, 340), c.accent, 8)


def jar(c: Canvas):
    c.rect((180, 120, 300, 156), c.dark, 8)
    c.rect((160, 150, 320, 380), c.fg, 36)
    c.rect((180, 220, 300, 300), c.accent, 10)


def vial(c: Canvas):
    c.rect((220, 120, 260, 170), c.dark, 8)
    c.rect((196, 166, 284, 372), c.fg, 22)
    c.rect((206, 240, 274, 320), c.accent, 8)


def tin(c: Canvas):
    c.ellipse((140, 250, 340, 330), c.dark)
    c.rect((140, 200, 340, 290), c.fg)
    c.ellipse((140, 160, 340, 240), c.accent)


def cup(c: Canvas):
    c.ellipse((120, 320, 360, 372), c.dark)
    c.poly([(150, 200), (330, 200), (310, 340), (170, 340)], c.fg)
    c.ellipse((150, 186, 330, 214), c.accent)
    c.line([(330, 232), (368, 240), (360, 290), (318, 300)], c.fg, 14)
    for x in (210, 240, 270):
        c.line([(x, 170), (x - 10, 140), (x, 110)], c.accent, 6)


def pack(c: Canvas):
    c.poly([(160, 130), (320, 130), (336, 380), (144, 380)], c.fg)
    c.rect((160, 118, 320, 142), c.dark, 4)
    c.ellipse((200, 220, 280, 300), c.accent)


def cake(c: Canvas):
    c.ellipse((110, 280, 370, 360), c.dark)
    c.rect((110, 230, 370, 320), c.fg)
    c.ellipse((110, 190, 370, 270), c.accent)
    for x in (170, 240, 310):
        c.ellipse((x - 14, 216, x + 14, 244), c.fg)


def grains(c: Canvas):
    for i in range(24):
        a = i * 2.4
        r = 20 + i * 5.5
        x, y = 240 + r * math.cos(a), 250 + r * math.sin(a) * 0.8
        c.ellipse((x - 9, y - 16, x + 9, y + 16), c.fg if i % 3 else c.dark)
    c.line([(240, 120), (240, 90)], c.accent, 8)


def fruit(c: Canvas):
    c.ellipse((140, 160, 340, 370), c.fg)
    c.ellipse((180, 200, 240, 250), c.accent)
    c.line([(240, 164), (250, 120)], c.dark, 10)
    c.poly([(252, 128), (320, 100), (290, 150)], c.dark)


def leaf(c: Canvas):
    c.poly([(240, 90), (340, 200), (310, 330), (240, 390), (170, 330), (140, 200)], c.fg)
    c.line([(240, 110), (240, 390)], c.accent, 8)
    for y in (170, 230, 290):
        c.line([(240, y + 30), (300, y)], c.accent, 5)
        c.line([(240, y + 30), (180, y)], c.accent, 5)


def root(c: Canvas):
    c.ellipse((200, 150, 280, 300), c.fg)
    c.line([(220, 280), (180, 390)], c.fg, 18)
    c.line([(260, 280), (300, 380)], c.fg, 16)
    c.line([(240, 290), (236, 400)], c.fg, 12)
    c.line([(240, 150), (240, 90)], c.dark, 8)
    c.ellipse((222, 70, 258, 106), (200, 40, 40))
    c.poly([(240, 110), (300, 80), (280, 130)], c.accent)
    c.poly([(240, 110), (180, 80), (200, 130)], c.accent)


def beans(c: Canvas):
    for i, (x, y) in enumerate([(190, 200), (280, 190), (230, 270), (170, 300), (300, 290),
                                (240, 350)]):
        c.ellipse((x - 38, y - 28, x + 38, y + 28), c.fg if i % 2 else c.dark)
        c.line([(x - 26, y), (x + 26, y)], c.accent, 5)


def garlic(c: Canvas):
    c.ellipse((150, 190, 330, 380), c.accent)
    c.poly([(240, 100), (270, 200), (210, 200)], c.fg)
    c.line([(240, 200), (240, 370)], c.fg, 5)
    c.line([(200, 220), (190, 360)], c.fg, 4)
    c.line([(280, 220), (290, 360)], c.fg, 4)


def pepper(c: Canvas):
    for i in range(19):
        x = 150 + (i % 5) * 45 + (22 if (i // 5) % 2 else 0)
        y = 170 + (i // 5) * 50
        c.ellipse((x - 20, y - 20, x + 20, y + 20), c.dark if i % 2 else c.fg)


def sticks(c: Canvas):
    for i in range(6):
        x = 150 + i * 36
        c.rect((x, 120 + (i % 2) * 20, x + 26, 380 - (i % 3) * 15), c.fg if i % 2 else c.dark, 12)
    c.rect((130, 240, 350, 262), c.accent, 6)


def pearls(c: Canvas):
    for i in range(22):
        a = math.pi * (0.1 + 0.8 * i / 21)
        x, y = 240 + 130 * math.cos(a), 150 + 170 * math.sin(a)
        c.ellipse((x - 15, y - 15, x + 15, y + 15), (250, 250, 250))
        c.ellipse((x - 8, y - 10, x + 2, y), c.accent)
    c.ellipse((220, 320, 260, 360), c.fg)


def cloth(c: Canvas):
    c.rect((130, 110, 350, 390), c.fg, 10)
    for i, y in enumerate(range(130, 380, 36)):
        c.rect((130, y, 350, y + 12), c.accent if i % 2 else c.dark)
        for x in range(150, 340, 40):
            c.poly([(x, y + 18), (x + 12, y + 24), (x, y + 30), (x - 12, y + 24)], c.accent)


def scarf(c: Canvas):
    c.poly([(120, 140), (360, 140), (330, 240), (150, 240)], c.fg)
    c.poly([(200, 230), (260, 230), (250, 400), (190, 400)], c.fg)
    c.poly([(260, 230), (300, 230), (320, 380), (270, 390)], c.dark)
    for x in range(140, 350, 30):
        c.line([(x, 160), (x + 10, 220)], c.accent, 6)


def basket(c: Canvas):
    c.line([(170, 220), (200, 120), (280, 120), (310, 220)], c.dark, 12)
    c.poly([(130, 220), (350, 220), (320, 380), (160, 380)], c.fg)
    for y in range(240, 370, 28):
        c.line([(150, y), (330, y)], c.accent, 6)
    for x in range(170, 320, 30):
        c.line([(x, 222), (x + 4, 378)], c.dark, 3)


def mat(c: Canvas):
    c.poly([(90, 300), (300, 180), (400, 250), (190, 370)], c.fg)
    for i in range(8):
        t = i / 8
        c.line([(90 + 100 * t, 300 + 70 * t), (300 + 100 * t, 180 + 70 * t)], c.accent, 5)
    c.ellipse((340, 180, 420, 260), c.dark)


def lamp(c: Canvas):
    c.line([(240, 40), (240, 140)], c.dark, 5)
    c.ellipse((150, 130, 330, 330), c.fg)
    for x in range(170, 320, 28):
        c.line([(x, 150), (240, 320)], c.accent, 4)
    c.ellipse((215, 300, 265, 350), (255, 214, 102))


def frame(c: Canvas):
    c.rect((110, 120, 370, 380), c.dark, 6)
    c.rect((132, 142, 348, 358), (250, 246, 236), 2)
    c.poly([(132, 300), (200, 240), (260, 290), (320, 230), (348, 260), (348, 358), (132, 358)],
           c.fg)
    c.poly([(170, 320), (250, 320), (235, 336), (185, 336)], c.dark)
    c.ellipse((290, 170, 330, 210), c.accent)


def house(c: Canvas):
    c.poly([(120, 230), (240, 120), (360, 230)], c.dark)
    c.rect((150, 226, 330, 330), c.fg, 4)
    c.rect((220, 260, 262, 330), c.accent, 3)
    for x in (160, 200, 280, 320):
        c.rect((x - 6, 330, x + 6, 380), c.dark)
    c.line([(90, 384), (390, 384)], c.fg, 6)


def mountain(c: Canvas):
    c.poly([(60, 380), (200, 150), (300, 300), (360, 220), (440, 380)], c.fg)
    c.poly([(200, 150), (230, 200), (175, 196)], (250, 250, 250))
    for y in (330, 352, 372):
        c.line([(90, y), (400, y - 10)], c.accent, 6)
    c.ellipse((330, 90, 390, 150), (255, 204, 77))


def boat(c: Canvas):
    c.poly([(100, 290), (380, 290), (340, 350), (140, 350)], c.fg)
    c.line([(240, 290), (240, 140)], c.dark, 8)
    c.poly([(246, 150), (340, 270), (246, 270)], c.accent)
    for y in (370, 392):
        c.line([(80, y), (160, y - 8), (240, y), (320, y - 8), (400, y)], c.fg, 6)


def disc(c: Canvas):
    c.ellipse((110, 140, 350, 380), c.dark)
    c.ellipse((130, 120, 370, 360), c.fg)
    for x, y in [(200, 190), (280, 210), (230, 260), (300, 290), (180, 290), (250, 320)]:
        c.ellipse((x - 8, y - 5, x + 8, y + 5), c.accent)


SHAPES = {f.__name__: f for f in (
    bottle, jar, vial, tin, cup, pack, cake, grains, fruit, leaf, root, beans, garlic, pepper,
    sticks, pearls, cloth, scarf, basket, mat, lamp, frame, house, mountain, boat, disc,
)}


def draw(group: str, shape: str, seed: str) -> Image.Image:
    """One illustration; `seed` (the product name) varies the hue within the group."""
    background, foreground = PALETTE[group]
    turn = ((zlib.crc32(seed.encode()) % 1000) / 1000 - 0.5) * 0.08
    fg = _shift(foreground, turn)
    width, height = PHOTO_SIZE
    image = Image.new("RGB", (width * SCALE, height * SCALE), background)
    d = ImageDraw.Draw(image)
    canvas = Canvas(d, fg, _lighter(fg), _darker(fg))
    canvas.ellipse((60, 60, 420, 420), _lighter(fg, 0.82))
    SHAPES[shape](canvas)
    return image.resize(PHOTO_SIZE, Image.Resampling.LANCZOS)


def main() -> None:
    for spec in PRODUCTS:
        path = STATIC / spec.photo
        path.parent.mkdir(parents=True, exist_ok=True)
        draw(spec.group, spec.shape, spec.name).save(path, "WEBP", quality=72, method=6)
    sizes = [(STATIC / spec.photo).stat().st_size for spec in PRODUCTS]
    print(f"{len(sizes)} photos in {STATIC / 'demo'}, largest {max(sizes) / 1024:.1f} KB")


if __name__ == "__main__":
    main()
