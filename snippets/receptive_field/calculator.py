"""感受野计算器：每层写成 (K, S, P, D)，逐层算出感受野边长 R、跳距 J 与起点 a。"""

# --8<-- [start:calculator]
import math
from collections.abc import Sequence
from dataclasses import dataclass

Layer = tuple[int, int, int, int]  # (K, S, P, D)：卷积核、步长、每侧填充、空洞率；两个方向相同
NAMES = ("kernel", "stride", "padding", "dilation")


@dataclass(frozen=True)
class Field:
    """某一层输出像素的感受野，坐标以输入像素为单位。"""

    size: int  # R：感受野的边长
    jump: int  # J：相邻两个输出像素的感受野在输入上错开的像素数
    start: int  # a：第 0 个输出像素的感受野从哪个输入坐标开始（负数表示伸进了填充）
    output_size: int | None = None  # 给定输入边长时，这一层输出的边长

    @property
    def centre(self) -> float:
        return self.start + (self.size - 1) / 2

    def interval(self, index: int) -> tuple[int, int]:
        """第 index 个输出像素的感受野：输入坐标的闭区间 [first, last]（未截断）。"""
        first = self.start + index * self.jump
        return first, first + self.size - 1


def checked_layer(position: int, layer: object) -> Layer:
    if not isinstance(layer, tuple | list) or len(layer) != 4:
        raise ValueError(f"layers[{position}] 必须是 (kernel, stride, padding, dilation) 四元组")
    for name, value in zip(NAMES, layer, strict=True):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"layers[{position}] 的 {name} 必须是整数，收到 {value!r}")
        lowest = 0 if name == "padding" else 1
        if value < lowest:
            raise ValueError(f"layers[{position}] 的 {name} 必须 >= {lowest}，收到 {value}")
    return tuple(layer)


def receptive_fields(layers: Sequence[Layer], input_size: int | None = None) -> list[Field]:
    """从输入到输出逐层递推；返回每一层之后的感受野。"""
    if not isinstance(layers, Sequence) or len(layers) == 0:
        raise ValueError("layers 必须是非空的 (kernel, stride, padding, dilation) 列表")
    if input_size is not None and (
        isinstance(input_size, bool) or not isinstance(input_size, int) or input_size < 1
    ):
        raise ValueError(f"input_size 必须是正整数，收到 {input_size!r}")
    size, jump, start, length = 1, 1, 0, input_size  # 输入像素自己：R = 1，J = 1，a = 0
    fields = []
    for position, layer in enumerate(layers):
        kernel, stride, padding, dilation = checked_layer(position, layer)
        span = dilation * (kernel - 1) + 1  # 空洞卷积的等效卷积核大小
        if length is not None:
            if span > length + 2 * padding:
                raise ValueError(
                    f"layers[{position}] 的 kernel 跨越 {span} 个像素，"
                    f"大于这一层填充后的输入 {length + 2 * padding}（input_size={input_size}）"
                )
            length = (length + 2 * padding - span) // stride + 1
        size += (span - 1) * jump
        start -= padding * jump
        jump *= stride
        fields.append(Field(size, jump, start, length))
    return fields


# --8<-- [end:calculator]


# --8<-- [start:top_down]
def field_top_down(layers: Sequence[Layer]) -> tuple[int, int]:
    """从输出的一个像素（F_L = 1）往输入回推：F_{l-1} = (F_l - 1)·S_l + K̂_l，起点同理回推。"""
    size, start = 1, 0
    for kernel, stride, padding, dilation in reversed(layers):
        size = (size - 1) * stride + dilation * (kernel - 1) + 1
        start = start * stride - padding
    return size, start


# --8<-- [end:top_down]


# --8<-- [start:closed_form]
def field_closed_form(layers: Sequence[Layer]) -> tuple[int, int, int]:
    """闭式解：R = 1 + Σ (K̂_l - 1)·J_{l-1}，J = Π S_l，a = -Σ P_l·J_{l-1}。"""
    strides = [stride for _, stride, _, _ in layers]
    jumps_before = [math.prod(strides[:index]) for index in range(len(layers))]
    spans = [dilation * (kernel - 1) + 1 for kernel, _, _, dilation in layers]
    size = 1 + sum((span - 1) * jump for span, jump in zip(spans, jumps_before, strict=True))
    start = -sum(layer[2] * jump for layer, jump in zip(layers, jumps_before, strict=True))
    return size, math.prod(strides), start


# --8<-- [end:closed_form]


# --8<-- [start:clipped]
def clipped_interval(
    layers: Sequence[Layer], index: int, input_size: int
) -> tuple[int, int] | None:
    """第 index 个输出像素实际读到的输入区间：自顶向下回推，每一层都截到真实存在的像素上。

    返回 None：它在某一层只读到了填充。有缺口（D > 1 或 K < S）时，这是外接区间。
    """
    fields = receptive_fields(layers, input_size)
    if isinstance(index, bool) or not isinstance(index, int):
        raise ValueError(f"index 必须是整数，收到 {index!r}")
    if not 0 <= index < fields[-1].output_size:
        raise ValueError(f"index 必须在 [0, {fields[-1].output_size}) 中，收到 {index}")
    sizes = [input_size] + [field.output_size for field in fields]
    first = last = index
    for (kernel, stride, padding, dilation), below in zip(
        reversed(layers), reversed(sizes[:-1]), strict=True
    ):
        first = max(first * stride - padding, 0)
        last = min(last * stride - padding + dilation * (kernel - 1), below - 1)
        if first > last:
            return None
    return first, last


# --8<-- [end:clipped]


# --8<-- [start:example]
layers = [
    (3, 1, 1, 1),  # 3×3 卷积，填充 1
    (3, 1, 1, 1),  # 3×3 卷积，填充 1
    (2, 2, 0, 1),  # 2×2 池化，步长 2
    (3, 1, 2, 2),  # 3×3 空洞卷积，空洞率 2，填充 2
    (3, 2, 1, 1),  # 3×3 卷积，步长 2，填充 1
]
fields = receptive_fields(layers, input_size=32)
print("层  (K, S, P, D)     R   J  起点 a  中心  输出边长")
for number, (layer, field) in enumerate(zip(layers, fields, strict=True), start=1):
    print(
        f"{number:>2}  {layer!s:<14} {field.size:>3} {field.jump:>3} {field.start:>7}"
        f" {field.centre:>5g} {field.output_size:>8}"
    )

last = fields[-1]
assert field_top_down(layers) == (last.size, last.start)
assert field_closed_form(layers) == (last.size, last.jump, last.start)
for depth in range(1, len(layers) + 1):  # 每一段前缀，三种算法也都一致
    prefix, field = layers[:depth], fields[depth - 1]
    assert field_closed_form(prefix) == (field.size, field.jump, field.start)
print("逐层递推 == 自顶向下递推 == 闭式解:", True)
print("输出像素 (0, 0) 的感受野:", last.interval(0), "截到图像内:", clipped_interval(layers, 0, 32))
print("输出像素 (3, 3) 的感受野:", last.interval(3))
# --8<-- [end:example]

# --8<-- [start:bad_input]
for bad_layers, size in [([(3, 0, 1, 1)], None), ([(3, 1, 1.5, 1)], None), ([(7, 1, 0, 1)], 4)]:
    try:
        receptive_fields(bad_layers, input_size=size)
    except ValueError as error:
        print("ValueError:", error)
    else:
        raise AssertionError("计算器接受了一个不可能的层")
# --8<-- [end:bad_input]
