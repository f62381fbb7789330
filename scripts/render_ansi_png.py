#!/usr/bin/env python3
"""Render a terminal capture with SGR escapes (`tmux capture-pane -p -e -N`) to a PNG.

    render_ansi_png.py CAPTURE.ans OUT.png [--cols 120 --rows 32] [--font-size 15]

A monospace grid on a dark background: DejaVu Sans Mono for Latin text, Noto Sans CJK
for CJK (two cells wide, as the terminal counts them), Symbola (when installed) for other
symbols.  SGR: reset, bold, dim, italic, underline, reverse, the 8/16 colours, 256 colours,
24-bit colour and the default foreground/background.  Attributes carry across lines, as
tmux writes them.  Needs Pillow.
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import locale
import os
import re
import sys
import unicodedata

from PIL import Image, ImageDraw, ImageFont

# --------------------------------------------------------------------------- colours

BG = (24, 26, 32)        # default background
FG = (212, 215, 221)     # default foreground
# 0-7 normal, 8-15 bright: a dark theme in which blue stays readable on BG.
PALETTE16 = [
    (40, 44, 52), (224, 108, 117), (152, 195, 121), (229, 192, 123),
    (97, 155, 235), (198, 120, 221), (86, 182, 194), (200, 204, 212),
    (92, 99, 112), (240, 135, 143), (178, 222, 148), (244, 212, 150),
    (130, 180, 255), (220, 150, 240), (120, 210, 222), (245, 246, 248),
]


def color256(n: int) -> tuple[int, int, int]:
    if n < 16:
        return PALETTE16[n]
    if n < 232:
        n -= 16
        steps = [0, 95, 135, 175, 215, 255]
        return steps[n // 36], steps[(n // 6) % 6], steps[n % 6]
    v = 8 + 10 * (n - 232)
    return v, v, v


class Style:
    __slots__ = ("fg", "bg", "bold", "dim", "italic", "underline", "reverse")

    def __init__(self):
        self.reset()

    def reset(self):
        self.fg = None  # None: default; else an (r, g, b) tuple
        self.bg = None
        self.bold = self.dim = self.italic = self.underline = self.reverse = False

    def copy(self) -> "Style":
        s = Style()
        for k in self.__slots__:
            setattr(s, k, getattr(self, k))
        return s

    def apply(self, params: str) -> None:
        parts = [p for p in re.split(r"[;:]", params)] if params else ["0"]
        nums = []
        for p in parts:
            try:
                nums.append(int(p) if p else 0)
            except ValueError:
                nums.append(0)
        i = 0
        while i < len(nums):
            n = nums[i]
            if n == 0:
                self.reset()
            elif n == 1:
                self.bold = True
            elif n == 2:
                self.dim = True
            elif n == 3:
                self.italic = True
            elif n in (4, 21):
                self.underline = True
            elif n == 7:
                self.reverse = True
            elif n == 22:
                self.bold = self.dim = False
            elif n == 23:
                self.italic = False
            elif n == 24:
                self.underline = False
            elif n == 27:
                self.reverse = False
            elif 30 <= n <= 37:
                self.fg = PALETTE16[n - 30]
            elif 40 <= n <= 47:
                self.bg = PALETTE16[n - 40]
            elif 90 <= n <= 97:
                self.fg = PALETTE16[n - 90 + 8]
            elif 100 <= n <= 107:
                self.bg = PALETTE16[n - 100 + 8]
            elif n == 39:
                self.fg = None
            elif n == 49:
                self.bg = None
            elif n in (38, 48) and i + 1 < len(nums):
                color = None
                if nums[i + 1] == 5 and i + 2 < len(nums):
                    color = color256(nums[i + 2] & 255)
                    i += 2
                elif nums[i + 1] == 2 and i + 4 < len(nums):
                    color = tuple(max(0, min(255, v)) for v in nums[i + 2:i + 5])
                    i += 4
                if color is not None:
                    if n == 38:
                        self.fg = color
                    else:
                        self.bg = color
            i += 1

    def colors(self) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
        fg = self.fg if self.fg is not None else FG
        bg = self.bg if self.bg is not None else BG
        if self.reverse:
            fg, bg = bg, fg
        if self.dim:
            fg = tuple((a + b) // 2 for a, b in zip(fg, bg))
        return fg, bg


# --------------------------------------------------------------------------- cell widths

_libc = None
try:
    locale.setlocale(locale.LC_CTYPE, "C.UTF-8")
    _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    _libc.wcwidth.argtypes = [ctypes.c_wchar]
    _libc.wcwidth.restype = ctypes.c_int
except Exception:  # noqa: BLE001 - fall back to unicodedata
    _libc = None


def cell_width(ch: str) -> int:
    """Cells the terminal gives `ch` (glibc's wcwidth, as tmux uses it)."""
    if _libc is not None:
        w = _libc.wcwidth(ch)
        if w >= 0:
            return w
    if unicodedata.combining(ch):
        return 0
    return 2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1


# --------------------------------------------------------------------------- parsing

ESC_RE = re.compile(r"\x1b(?:\[([0-9;:?<=>]*)([@-~])|\][^\x07\x1b]*(?:\x07|\x1b\\)|[()][0-9A-Za-z]|[=>78])")


def parse(text: str, cols: int, rows: int):
    """A rows×cols grid of (char, Style) or None (the second cell of a wide char)."""
    grid = [[(" ", Style()) for _ in range(cols)] for _ in range(rows)]
    style = Style()
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    for y, line in enumerate(lines[:rows]):
        x = 0
        pos = 0
        while pos < len(line):
            m = ESC_RE.match(line, pos)
            if m:
                if m.group(2) == "m":
                    style.apply(m.group(1) or "")
                pos = m.end()
                continue
            ch = line[pos]
            pos += 1
            if ch == "\x1b" or ch == "\r":
                continue
            w = cell_width(ch)
            if w == 0:
                # a combining mark: attach it to the previous cell
                if x > 0 and grid[y][x - 1] is not None:
                    c, s = grid[y][x - 1]
                    grid[y][x - 1] = (c + ch, s)
                continue
            if x + w > cols:
                break
            grid[y][x] = (ch, style.copy())
            if w == 2:
                grid[y][x + 1] = None
            x += w
    return grid


# --------------------------------------------------------------------------- fonts

def _find(paths):
    for p in paths:
        if os.path.exists(p):
            return p
    return None


DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf"
DEJAVU_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf"
CJK = _find(["/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
             "/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc"])
CJK_BOLD = _find(["/usr/share/fonts/opentype/noto/NotoSansCJK-Bold.ttc",
                  "/usr/share/fonts/noto-cjk/NotoSansCJK-Bold.ttc"]) or CJK
SYMBOLS = _find(["/usr/share/fonts/truetype/ancient-scripts/Symbola_hint.ttf",
                 "/usr/share/fonts/truetype/ancient-scripts/Symbola.ttf",
                 "/usr/share/fonts/truetype/symbola/Symbola.ttf"])
CJK_INDEX_SC = 2  # Noto Sans CJK SC in the collection


class Fonts:
    def __init__(self, size: int):
        if not os.path.exists(DEJAVU):
            sys.exit("render_ansi_png: DejaVu Sans Mono is missing (apt-get install fonts-dejavu-core)")
        self.size = size
        self.regular = ImageFont.truetype(DEJAVU, size)
        self.bold = ImageFont.truetype(DEJAVU_BOLD if os.path.exists(DEJAVU_BOLD) else DEJAVU, size)
        self.cjk = ImageFont.truetype(CJK, size, index=CJK_INDEX_SC) if CJK else None
        self.cjk_bold = ImageFont.truetype(CJK_BOLD, size, index=CJK_INDEX_SC) if CJK_BOLD else None
        self.symbols = ImageFont.truetype(SYMBOLS, size) if SYMBOLS else None
        ascent, descent = self.regular.getmetrics()
        self.ascent = ascent
        self.cell_w = round(self.regular.getlength("M"))
        self.cell_h = ascent + descent + 1
        self._missing: dict[int, bytes] = {}
        self._has: dict[tuple[int, str], bool] = {}

    def _notdef(self, font) -> bytes:
        key = id(font)
        if key not in self._missing:
            self._missing[key] = self._mask(font, "\U0010FFFD")
        return self._missing[key]

    @staticmethod
    def _mask(font, ch: str) -> bytes:
        m = font.getmask(ch)
        return bytes(m.size) + bytes(m)

    def has(self, font, ch: str) -> bool:
        key = (id(font), ch)
        if key not in self._has:
            self._has[key] = self._mask(font, ch) != self._notdef(font)
        return self._has[key]

    def pick(self, ch: str, width: int, bold: bool):
        latin = self.bold if bold else self.regular
        cjk = self.cjk_bold if bold else self.cjk
        order = [cjk, latin, self.symbols] if width == 2 else [latin, self.symbols, cjk]
        for f in order:
            if f is not None and self.has(f, ch[0]):
                return f
        return None


# --------------------------------------------------------------------------- drawing

def render(grid, fonts: Fonts, pad: int = 8) -> Image.Image:
    rows, cols = len(grid), len(grid[0]) if grid else 0
    cw, ch_ = fonts.cell_w, fonts.cell_h
    img = Image.new("RGB", (cols * cw + 2 * pad, rows * ch_ + 2 * pad), BG)
    draw = ImageDraw.Draw(img)
    for y, row in enumerate(grid):
        for x, cell in enumerate(row):
            if cell is None:
                continue
            ch, st = cell
            w = 2 if x + 1 < cols and row[x + 1] is None else 1
            fg, bg = st.colors()
            x0, y0 = pad + x * cw, pad + y * ch_
            if bg != BG:
                draw.rectangle([x0, y0, x0 + w * cw - 1, y0 + ch_ - 1], fill=bg)
            if st.underline:
                uy = y0 + fonts.ascent + 2
                draw.line([x0, uy, x0 + w * cw - 1, uy], fill=fg)
            if ch == " ":
                continue
            if _draw_block(draw, ch, x0, y0, cw, ch_, fg):
                continue
            font = fonts.pick(ch, w, st.bold)
            if font is None:  # no font has it: a hollow box, one per cell
                draw.rectangle([x0 + 1, y0 + 2, x0 + w * cw - 2, y0 + ch_ - 3], outline=fg)
                continue
            glyph_w = font.getlength(ch)
            # centre the glyph in its cells; squeeze it when a fallback font draws it too wide
            if glyph_w > w * cw + 1 and font is not fonts.regular and font is not fonts.bold:
                tmp_font = font.font_variant(size=max(6, int(fonts.size * w * cw / glyph_w)))
                glyph_w = tmp_font.getlength(ch)
                font = tmp_font
            gx = x0 + (w * cw - glyph_w) / 2
            draw.text((gx, y0 + fonts.ascent), ch, font=font, fill=fg, anchor="ls")
    return img


def _draw_block(draw, ch, x0, y0, cw, chh, fg) -> bool:
    """Box-drawing and block characters drawn as shapes, so they join across cells."""
    o = ord(ch)
    if 0x2581 <= o <= 0x2588:  # lower blocks ▁…█
        h = round(chh * (o - 0x2580) / 8)
        draw.rectangle([x0, y0 + chh - h, x0 + cw - 1, y0 + chh - 1], fill=fg)
        return True
    if 0x2589 <= o <= 0x258F:  # left blocks ▉…▏
        w = max(1, round(cw * (0x2590 - o) / 8))
        draw.rectangle([x0, y0, x0 + w - 1, y0 + chh - 1], fill=fg)
        return True
    if ch in "─━":
        my = y0 + chh // 2
        draw.line([x0, my, x0 + cw - 1, my], fill=fg, width=1 if ch == "─" else 2)
        return True
    if ch in "│┃":
        mx = x0 + cw // 2
        draw.line([mx, y0, mx, y0 + chh - 1], fill=fg, width=1 if ch == "│" else 2)
        return True
    return False


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("capture", help="text with SGR escapes ('-' for stdin)")
    ap.add_argument("out", help="PNG to write")
    ap.add_argument("--cols", type=int, default=0, help="grid width (default: widest line)")
    ap.add_argument("--rows", type=int, default=0, help="grid height (default: number of lines)")
    ap.add_argument("--font-size", type=int, default=15)
    a = ap.parse_args()
    data = sys.stdin.buffer.read() if a.capture == "-" else open(a.capture, "rb").read()
    text = data.decode("utf-8", errors="replace")
    plain = [ESC_RE.sub("", l) for l in text.rstrip("\n").split("\n")]
    cols = a.cols or max((sum(cell_width(c) for c in l) for l in plain), default=80)
    rows = a.rows or len(plain)
    grid = parse(text, cols, rows)
    img = render(grid, Fonts(a.font_size))
    img = img.quantize(colors=64, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    img.save(a.out, optimize=True)


if __name__ == "__main__":
    main()
