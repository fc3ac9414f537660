"""Test captures from data that ships with installed packages; nothing is downloaded.

Faces: scikit-image's astronaut (Eileen Collins), cut to a passport-style portrait on a plain background,
and the face crops of ``skimage.data.lfw_subset()`` (25x25 grey, the first 100 are faces; upscaled, they are
the impostors).  Genuine pairs come from augmenting one photo (rotation, scale, exposure, noise).

Fingerprints: the afis wheel carries no sample images (only its source distribution does), so fingers are
afis's own procedural ridge patterns (``afis.algorithms.synth``), a different orientation field, ridge
spacing and seed per finger; genuine impressions are rotated, shifted and noisy copies.
"""

from __future__ import annotations

import functools
import io

import numpy as np
from afis.algorithms.synth import synthetic_fingerprint
from PIL import Image, ImageDraw, ImageEnhance, ImageFilter
from skimage import data

BACKGROUND = (205, 208, 210)


def to_bytes(image: Image.Image, fmt: str = "JPEG") -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **({"quality": 92} if fmt == "JPEG" else {}))
    return buffer.getvalue()


@functools.cache
def portrait() -> Image.Image:
    """The astronaut's head and shoulders, 1.6x, on a plain light background: 288x368 pixels."""
    crop = Image.fromarray(data.astronaut()[30:260, 130:310]).resize((288, 368), Image.Resampling.BICUBIC)
    mask = Image.new("L", crop.size, 0)
    # The head, as an ellipse around the detected face, and the shoulders below it.
    ImageDraw.Draw(mask).ellipse((40, 20, 250, 300), fill=255)
    ImageDraw.Draw(mask).rectangle((0, 290, 288, 368), fill=255)
    mask = mask.filter(ImageFilter.GaussianBlur(4))
    return Image.composite(crop, Image.new("RGB", crop.size, BACKGROUND), mask)


def portrait_bytes() -> bytes:
    return to_bytes(portrait())


def augment(image: Image.Image, *, angle: float = 0.0, scale: float = 1.0, exposure: float = 1.0,
            noise: float = 0.0, seed: int = 0) -> Image.Image:
    out = image.rotate(angle, resample=Image.Resampling.BILINEAR, fillcolor=BACKGROUND)
    if scale != 1.0:
        out = out.resize((round(out.width * scale), round(out.height * scale)), Image.Resampling.BICUBIC)
    out = ImageEnhance.Brightness(out).enhance(exposure)
    if noise:
        pixels = np.asarray(out, dtype=np.float64)
        pixels = pixels + np.random.default_rng(seed).normal(0, noise, pixels.shape)
        out = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8))
    return out


GENUINE_VARIANTS = [
    {"angle": a, "scale": s, "exposure": e, "noise": n}
    for a in (-6.0, 6.0) for s in (0.9, 1.25) for e in (0.75, 1.25) for n in (0.0, 8.0)
]


@functools.cache
def lfw_faces() -> np.ndarray:
    """The 100 face crops of ``lfw_subset`` (the other 100 are not faces), 0-255."""
    return (data.lfw_subset()[:100] * 255).astype(np.uint8)


def lfw_portrait(i: int, size: int = 320) -> Image.Image:
    """An lfw face crop upscaled onto a plain canvas large enough for the photo format checks."""
    face = Image.fromarray(lfw_faces()[i]).resize((size * 3 // 4, size * 3 // 4), Image.Resampling.BICUBIC)
    canvas = Image.new("L", (size * 3 // 4 + 40, size + 40), 200)
    canvas.paste(face, (20, 40))
    return canvas.convert("RGB")


def fingerprint(finger: int, *, angle: float = 0.0, shift: tuple[int, int] = (0, 0), noise: float = 0.0,
                seed: int = 0) -> Image.Image:
    """A synthetic finger (``finger`` picks ridge spacing, curvature and orientation), optionally as another
    impression of it: turned, shifted, noisy."""
    ridges = synthetic_fingerprint(size=300, seed=finger, wavelength=7.5 + (finger * 0.7) % 3,
                                   curvature=0.8 + (finger * 0.37) % 1.6)
    image = Image.fromarray(np.clip(ridges, 0, 255).astype(np.uint8), mode="L")
    image = image.rotate((finger * 47) % 360 + angle, resample=Image.Resampling.BILINEAR, fillcolor=128,
                         translate=shift)
    if noise:
        pixels = np.asarray(image, dtype=np.float64) + np.random.default_rng(seed).normal(0, noise, (300, 300))
        image = Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), mode="L")
    return image


def fingerprint_bytes(finger: int, **impression: float) -> bytes:
    return to_bytes(fingerprint(finger, **impression), "PNG")  # type: ignore[arg-type]
