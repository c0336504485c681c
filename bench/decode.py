"""Server-side decoding on the shared real photos: read rate and time per stage.

    .venv/bin/python -m bench.decode [--samples ../shared/barcode-samples] [--runs 3]

A photo counts as read when one decoded text equals its .txt (EAN/UPC compared as
13-digit GTINs). Times are per frame, median (p50) and p95 over all photos and runs.
"""

import argparse
import random
import statistics
import time
from pathlib import Path

from PIL import Image, ImageFilter

from app.scanning.services import STAGES, decode_frame, open_frame

ROOT = Path(__file__).resolve().parent.parent


def _gtin(text: str) -> str:
    """Compare EAN/UPC as GTIN-13, and text as lines without their trailing blanks."""
    if text.isdigit() and len(text) in (12, 13):
        return text.zfill(13)
    return "\n".join(line.rstrip() for line in text.replace("\r\n", "\n").split("\n")).strip()


def _samples(folder: Path):
    for expected in sorted(folder.glob("*/*.txt")):
        pictures = [p for p in expected.parent.glob(expected.stem + ".*") if p.suffix != ".txt"]
        if pictures:
            yield pictures[0], expected.read_text(encoding="utf-8", errors="replace").strip()


def _p95(values):
    values = sorted(values)
    return values[max(0, int(len(values) * 0.95) - 1)]


def _no_code_frame() -> Image.Image:
    """A 1280×720 frame of shelf-like clutter with no code in it."""
    rng = random.Random(7)
    frame = Image.new("L", (1280, 720), 200)
    pixels = frame.load()
    for _ in range(4000):
        x, y = rng.randrange(1270), rng.randrange(710)
        shade = rng.randrange(256)
        for dx in range(10):
            for dy in range(10):
                pixels[x + dx, y + dy] = shade
    return frame.filter(ImageFilter.GaussianBlur(2))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", default=str(ROOT.parent / "shared" / "barcode-samples"))
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()

    samples = list(_samples(Path(options.samples)))
    read, hit_times, stage_hits = 0, [], {name: 0 for name, _ in STAGES}
    for picture, expected in samples:
        frame = open_frame(picture.read_bytes())
        found = False
        for run in range(options.runs):
            timings: dict = {}
            started = time.perf_counter()
            codes = decode_frame(frame, timings)
            hit_times.append(time.perf_counter() - started)
            if run == 0:
                found = any(_gtin(c.text) == _gtin(expected) for c in codes)
                if found:
                    stage_hits[list(timings)[-1]] += 1
        read += found

    empty = _no_code_frame()
    miss_times, stage_times = [], {name: [] for name, _ in STAGES}
    for _ in range(max(5, options.runs * 5)):
        timings = {}
        started = time.perf_counter()
        decode_frame(empty, timings)
        miss_times.append(time.perf_counter() - started)
        for name, seconds in timings.items():
            stage_times[name].append(seconds)

    print(f"\nServer decoding on {len(samples)} real photos ({options.runs} runs each)\n")
    print(f"read: {read}/{len(samples)} = {100 * read / len(samples):.1f} %")
    for name, hits in stage_hits.items():
        print(f"  first read by {name}: {hits}")
    print("\n| frame | p50 ms | p95 ms |")
    print("|-------|--------|--------|")
    print(
        f"| photo with a code (whole chain) | {1000 * statistics.median(hit_times):.1f} | "
        f"{1000 * _p95(hit_times):.1f} |"
    )
    print(
        f"| 1280×720 without a code (whole chain) | {1000 * statistics.median(miss_times):.1f} | "
        f"{1000 * _p95(miss_times):.1f} |"
    )
    for name, values in stage_times.items():
        print(
            f"| … of which {name} | {1000 * statistics.median(values):.1f} | "
            f"{1000 * _p95(values):.1f} |"
        )


if __name__ == "__main__":
    main()
