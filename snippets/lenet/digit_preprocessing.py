"""Turn a photo or drawing of one digit into a 28×28 input framed the way MNIST digits are."""

import numpy as np
import torch  # only for the returned tensor
from PIL import Image, ImageDraw


# --8<-- [start:convert]
def to_mnist_digit(image: Image.Image) -> torch.Tensor:
    """(28, 28) float tensor in [0, 1]: a bright digit on black, framed like MNIST."""
    # 1. transparent parts count as white paper; then grayscale (PIL's "L": ITU-R 601-2 luma)
    if image.mode in ("RGBA", "LA", "PA") or "transparency" in image.info:
        rgba = image.convert("RGBA")
        image = Image.alpha_composite(Image.new("RGBA", rgba.size, (255, 255, 255, 255)), rgba)
    gray = np.asarray(image.convert("L"), dtype=np.float32) / 255.0

    # 2. MNIST digits are bright on black: invert when the border (the paper) is bright
    def border(a: np.ndarray) -> np.ndarray:
        band = max(1, round(0.04 * min(a.shape)))  # a frame 4 % of the shorter side wide
        edges = [a[:band], a[-band:], a[:, :band], a[:, -band:]]
        return np.concatenate([edge.ravel() for edge in edges])

    if float(np.median(border(gray))) > 0.5:
        gray = 1.0 - gray
    # 3. remove the background level and stretch the ink to [0, 1]
    background, peak = float(np.median(border(gray))), float(gray.max())
    if peak - background < 0.1:
        raise ValueError("图里看不出数字（几乎是一片均匀的颜色）")
    ink = np.clip((gray - background) / (peak - background), 0.0, 1.0)

    # 4. crop to the digit's bounding box; scale the longer side to 20 pixels (keep the aspect)
    rows = np.flatnonzero((ink > 0.2).any(axis=1))
    cols = np.flatnonzero((ink > 0.2).any(axis=0))
    patch = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    scale = 20 / max(patch.shape)
    size = (max(1, round(patch.shape[1] * scale)), max(1, round(patch.shape[0] * scale)))
    resized = Image.fromarray(patch, mode="F").resize(size, Image.Resampling.BILINEAR)
    patch = np.clip(np.asarray(resized, dtype=np.float32), 0.0, 1.0)

    # 5. paste into 28×28 so that the centre of mass lands on pixel (14, 14)
    r, c = np.indices(patch.shape)
    row_mass = float((r * patch).sum()) / float(patch.sum())
    col_mass = float((c * patch).sum()) / float(patch.sum())
    top = min(max(round(14.0 - row_mass), 0), 28 - patch.shape[0])  # keep the digit whole
    left = min(max(round(14.0 - col_mass), 0), 28 - patch.shape[1])
    field = np.zeros((28, 28), dtype=np.float32)
    field[top : top + patch.shape[0], left : left + patch.shape[1]] = patch
    return torch.from_numpy(field)


# --8<-- [end:convert]


def photo_of_a_seven() -> Image.Image:
    """A dark blue 7 written on cream paper, 300×200 pixels, off-centre — like a phone photo."""
    image = Image.new("RGB", (300, 200), (236, 230, 212))
    ImageDraw.Draw(image).line([(150, 38), (228, 38), (176, 170)], fill=(28, 38, 112), width=13)
    return image


if __name__ == "__main__":
    # --8<-- [start:demo]
    photo = photo_of_a_seven()
    photo.save("seven.png")  # try: python -m cnnbook.predict seven.png --checkpoint lenet.pt
    digit = to_mnist_digit(photo)
    ink = digit > 0.2
    rows, cols = np.flatnonzero(ink.any(dim=1)), np.flatnonzero(ink.any(dim=0))
    weights = digit.double()
    index = torch.arange(28, dtype=torch.float64)
    centre = (
        (weights.sum(1) * index).sum() / weights.sum(),
        (weights.sum(0) * index).sum() / weights.sum(),
    )
    print(f"照片: {photo.size[0]}×{photo.size[1]} {photo.mode} → 数字 {tuple(digit.shape)}")
    print(f"28×28 里的外接框: {rows[-1] - rows[0] + 1} 行 × {cols[-1] - cols[0] + 1} 列")
    print(f"质心: ({centre[0]:.1f}, {centre[1]:.1f})")
    in_range = bool(0 <= digit.min() <= digit.max() <= 1)
    print(f"取值都在 [0, 1] 内: {in_range}，背景恰为 0: {bool(digit[0, 0] == 0)}")
    inverted = Image.fromarray(255 - np.asarray(photo))  # light digit on dark paper
    same = torch.allclose(to_mnist_digit(inverted), digit, atol=0.02)
    print("反相的照片得到同样的结果:", same)
    # --8<-- [end:demo]
    assert max(rows[-1] - rows[0], cols[-1] - cols[0]) + 1 <= 20
    assert abs(centre[0] - 14) <= 0.5 and abs(centre[1] - 14) <= 0.5
