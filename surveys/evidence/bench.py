"""Upload and thumbnail time for a phone photo of about 5 MB (printed, not asserted).

    .venv/bin/python -m surveys.evidence.bench [--runs 5]

Pure: no database and no settings; the stored bytes are written to a temporary folder as
the file-system storage would. A `manage.py bench_evidence` command can call `run()`."""

import argparse
import io
import os
import statistics
import tempfile
import time

from PIL import Image

from surveys.evidence import files


def phone_photo(target_bytes=5 * 1024 * 1024):
    """A 12-megapixel JPEG with camera-like noise and EXIF (orientation, GPS), near 5 MB."""
    width, height = 4032, 3024
    base = Image.effect_noise((width // 4, height // 4), 60).convert("RGB")
    image = base.resize((width, height), Image.Resampling.BICUBIC)
    noise = Image.effect_noise((width, height), 25).convert("RGB")
    image = Image.blend(image, noise, 0.35)
    exif = Image.Exif()
    exif[0x0112] = 6
    exif[0x8825] = {1: "N", 2: (31.0, 14.0, 0.0), 3: "E", 4: (121.0, 28.0, 0.0)}
    content = b""
    for quality in (95, 90, 85, 80, 75, 70):
        out = io.BytesIO()
        image.save(out, "JPEG", quality=quality, exif=exif)
        content = out.getvalue()
        if len(content) <= target_bytes * 1.1:
            break
    return content


def run(runs=5, stdout=None):
    write = stdout.write if stdout else print
    photo = phone_photo()
    timings = []
    with tempfile.TemporaryDirectory() as folder:
        for i in range(runs):
            start = time.perf_counter()
            prepared = files.prepare("IMG_0001.jpg", photo)
            for suffix, content in (("jpg", prepared.content), ("t.jpg", prepared.thumbnail)):
                with open(os.path.join(folder, f"{i}.{suffix}"), "wb") as handle:
                    handle.write(content)
            timings.append(time.perf_counter() - start)
    write(
        f"佐证照片上传处理：原图 {len(photo) / 1024 / 1024:.1f} MB（4032×3024），"
        f"存储 {len(prepared.content) / 1024:.0f} KB"
        f" + 缩略图 {len(prepared.thumbnail) / 1024:.0f} KB；"
        f"{runs} 次，中位数 {statistics.median(timings) * 1000:.0f} ms，"
        f"最慢 {max(timings) * 1000:.0f} ms"
    )
    return timings


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    run(parser.parse_args().runs)
