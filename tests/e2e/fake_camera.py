"""A fake camera for Chromium: an EAN-13 label filmed as a YUV4MPEG2 (.y4m) video.

Chromium plays the file in a loop as the camera (--use-file-for-fake-video-capture).
"""

from pathlib import Path

from PIL import Image, ImageDraw

# The EAN-13 digit patterns (1 = bar), set A ("L"); C ("R") is its complement and
# B ("G") the mirror image of C.
_L = ["0001101", "0011001", "0010011", "0111101", "0100011",
      "0110001", "0101111", "0111011", "0110111", "0001011"]  # fmt: skip
_R = ["".join("1" if bit == "0" else "0" for bit in code) for code in _L]
_G = [code[::-1] for code in _R]
# Which set each of the six left digits uses, chosen by the first digit.
_PARITY = ["LLLLLL", "LLGLGG", "LLGGLG", "LLGGGL", "LGLLGG",
           "LGGLLG", "LGGGLL", "LGLGLG", "LGLGGL", "LGGLGL"]  # fmt: skip

WIDTH, HEIGHT = 1280, 720


def ean13_check_digit(body12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return str((10 - total % 10) % 10)


def ean13_modules(code: str) -> str:
    """The 95 modules of an EAN-13 symbol, '1' for a bar."""
    if len(code) != 13 or not code.isdigit() or ean13_check_digit(code[:12]) != code[12]:
        raise ValueError(f"not a valid EAN-13: {code!r}")
    digits = [int(d) for d in code]
    left = "".join(
        (_L if parity == "L" else _G)[digit]
        for parity, digit in zip(_PARITY[digits[0]], digits[1:7], strict=True)
    )
    right = "".join(_R[digit] for digit in digits[7:])
    return "101" + left + "01010" + right + "101"


def ean13_label(code: str, module_px: int = 8, bar_height: int = 320) -> Image.Image:
    """A 1280×720 white frame with the code big, sharp and centred, quiet zones included."""
    modules = ean13_modules(code)
    frame = Image.new("L", (WIDTH, HEIGHT), 255)
    draw = ImageDraw.Draw(frame)
    left = (WIDTH - len(modules) * module_px) // 2  # leaves far more than 11 modules each side
    top = (HEIGHT - bar_height) // 2
    guards = {0, 2, 46, 48, 92, 94}  # the guard bars reach lower, as on a printed label
    for index, bit in enumerate(modules):
        if bit == "1":
            x = left + index * module_px
            bottom = top + bar_height + (24 if index in guards else 0)
            draw.rectangle([x, top, x + module_px - 1, bottom], fill=0)
    return frame


def write_y4m(path: Path, frame: Image.Image, frames: int = 10, fps: int = 10) -> Path:
    """The frame repeated as 4:2:0 YUV4MPEG2; a greyscale frame has neutral chroma."""
    luma = frame.convert("L")
    width, height = luma.size
    chroma = bytes([128]) * ((width // 2) * (height // 2))
    y_plane = luma.tobytes()
    with open(path, "wb") as out:
        out.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420jpeg\n".encode())
        for _ in range(frames):
            out.write(b"FRAME\n")
            out.write(y_plane)
            out.write(chroma)  # U
            out.write(chroma)  # V
    return path


def ean13_video(path: Path, code: str) -> Path:
    return write_y4m(path, ean13_label(code))
