"""Turning any picture of one digit into a 28×28 input the way MNIST itself was made.

MNIST digits are white (high values) on black, size-normalised so the longer side of the
digit's bounding box is 20 pixels (aspect ratio kept, anti-aliased), then placed in a 28×28
field so that the centre of mass of the ink sits at pixel (14, 14). ``to_mnist_digit`` repeats
these steps for a photo or a drawing of any size and colour:

1. flatten transparency onto white, convert to grayscale (ITU-R 601-2 luma, PIL mode ``L``);
2. if the border is bright (a dark digit on light paper), invert, so the digit becomes bright;
3. subtract the background level (the border's median) and stretch the ink to [0, 1];
4. crop to the bounding box of the ink, scale its longer side to 20 pixels;
5. paste it into 28×28 with its centre of mass at (14, 14) (shifted only as far as the digit
   stays whole).
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from cnnbook.errors import CnnBookError
from cnnbook.mnist_files import IMAGE_SIZE, MNIST_MEAN, MNIST_STD

if TYPE_CHECKING:  # PyTorch is imported only when a tensor is made: errors come back fast
    import torch

BOX_SIZE = 20  # the longer side of every MNIST digit's bounding box
CENTRE = 14.0  # where MNIST puts the centre of mass (row, column), in pixel indices
INK_THRESHOLD = 0.2  # after stretching, pixels above this count as ink for the bounding box
BORDER_FRACTION = 0.04  # the border band used to judge the background


def read_image(path: str | Path) -> Image.Image:
    """Open an image file (PNG, JPEG, …); ``CnnBookError`` if it is missing, not an image, or
    so large that PIL suspects a decompression bomb (more than ``Image.MAX_IMAGE_PIXELS``
    pixels, about 89 million: a file of a few kB can claim to be 14000 × 14000)."""
    path = Path(path)
    if not path.exists():
        raise CnnBookError(f"图片 {path} 不存在")
    if not path.is_file():
        raise CnnBookError(f"图片 {path} 不是文件")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as image:
                image.load()
                return ImageOps.exif_transpose(image)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        limit = f"{Image.MAX_IMAGE_PIXELS:,}"
        raise CnnBookError(f"图片 {path} 太大（超过 {limit} 个像素），不予处理") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise CnnBookError(f"图片 {path} 不是 PIL 能读取的图片") from None


def grayscale(image: Image.Image) -> np.ndarray:
    """float32 array in [0, 1]; transparent parts count as white paper."""
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        paper = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        image = Image.alpha_composite(paper, rgba)
    return np.asarray(image.convert("L"), dtype=np.float32) / 255.0


def border_pixels(gray: np.ndarray) -> np.ndarray:
    band = max(1, round(BORDER_FRACTION * min(gray.shape)))
    return np.concatenate(
        [gray[:band].ravel(), gray[-band:].ravel(), gray[:, :band].ravel(), gray[:, -band:].ravel()]
    )


def is_dark_on_light(gray: np.ndarray) -> bool:
    """True when the border (the background) is brighter than mid-grey."""
    return float(np.median(border_pixels(gray))) > 0.5


def ink_map(gray: np.ndarray) -> np.ndarray:
    """Bright digit on a black background, stretched to [0, 1]."""
    if is_dark_on_light(gray):
        gray = 1.0 - gray
    background = float(np.median(border_pixels(gray)))
    peak = float(gray.max())
    if peak - background < 0.1:
        raise CnnBookError("图里看不出数字（几乎是一片均匀的颜色）")
    return np.clip((gray - background) / (peak - background), 0.0, 1.0)


def crop_to_ink(ink: np.ndarray) -> np.ndarray:
    rows = np.flatnonzero((ink > INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink > INK_THRESHOLD).any(axis=0))
    return ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]


def fit_box(patch: np.ndarray, box: int = BOX_SIZE) -> np.ndarray:
    """Scale ``patch`` so its longer side is ``box`` pixels, keeping the aspect ratio."""
    height, width = patch.shape
    scale = box / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    resized = Image.fromarray(patch.astype(np.float32), mode="F").resize(
        size, Image.Resampling.BILINEAR
    )
    return np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)


def centre_of_mass(patch: np.ndarray) -> tuple[float, float]:
    rows, cols = np.indices(patch.shape)
    total = float(patch.sum())
    return float((rows * patch).sum()) / total, float((cols * patch).sum()) / total


def place_by_centre_of_mass(patch: np.ndarray, size: int = IMAGE_SIZE) -> np.ndarray:
    """Paste ``patch`` into a ``size``×``size`` black field with its centre of mass at (14, 14)."""
    height, width = patch.shape
    row_mass, col_mass = centre_of_mass(patch)
    top = min(max(round(CENTRE - row_mass), 0), size - height)
    left = min(max(round(CENTRE - col_mass), 0), size - width)
    field = np.zeros((size, size), dtype=np.float32)
    field[top : top + height, left : left + width] = patch
    return field


def to_mnist_array(image: Image.Image) -> np.ndarray:
    """(28, 28) float32 array in [0, 1]: a bright digit on black, sized and centred like MNIST."""
    return place_by_centre_of_mass(fit_box(crop_to_ink(ink_map(grayscale(image)))))


def to_mnist_digit(image: Image.Image) -> torch.Tensor:
    """``to_mnist_array`` as a tensor."""
    import torch

    return torch.from_numpy(to_mnist_array(image))


def model_input(digit: torch.Tensor) -> torch.Tensor:
    """(28, 28) in [0, 1] → (1, 1, 28, 28), normalised with the training set's mean and std."""
    return ((digit - MNIST_MEAN) / MNIST_STD).reshape(1, 1, IMAGE_SIZE, IMAGE_SIZE)
