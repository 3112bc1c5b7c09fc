"""静态的训练后量化：先用几百张校准图记下激活的取值范围（观察器），推理时用固定的 s、z。

ReLU 之后的激活没有负数：非对称量化把 8 位的 256 个编码全部用在 [0, max] 上，
对称量化只用得上其中的 128 个。torch._int_mm 只接受 int8，所以 8 位编码 q ∈ [0, 255]
先减 128 存成 int8，零点的影响再精确地加回来。
"""

import torch


# --8<-- [start:observe]
class MinMaxObserver:
    """校准时看过的所有批次里的最小值与最大值。"""

    def __init__(self) -> None:
        self.low, self.high = float("inf"), float("-inf")

    def __call__(self, x: torch.Tensor) -> None:
        self.low = min(self.low, x.min().item())
        self.high = max(self.high, x.max().item())

    def params(self) -> tuple[float, int]:
        """8 位非对称：编码 0 … 255，s = (max − min) / 255，零点 z 是 0.0 的编码。"""
        low, high = min(self.low, 0.0), max(self.high, 0.0)  # 范围总包含 0
        scale = (high - low) / 255
        return scale, round(-low / scale)


def quantize_codes(x: torch.Tensor, scale: float, zero_point: int) -> torch.Tensor:
    return (torch.round(x / scale) + zero_point).clamp(0, 255)


# --8<-- [end:observe]

# --8<-- [start:calibrate]
torch.manual_seed(0)
weight = torch.randn(120, 256) * 0.05  # 一个全连接层（LeNet 的 fc1）
observer = MinMaxObserver()
for _ in range(4):  # 4 批、每批 128 张“校准图”：这里用 ReLU 之后的随机激活代替
    observer(torch.randn(128, 256).relu())
scale, zero_point = observer.params()
assert zero_point == 0  # ReLU 之后最小值是 0：0.0 的编码就是 0
print(
    f"校准得到的范围: [{observer.low:.2f}, {observer.high:.2f}]，s = {scale:.5f}，z = {zero_point}"
)

x = torch.randn(64, 256).relu()  # 推理时的一批激活
asymmetric = quantize_codes(x, scale, zero_point) * scale
symmetric_scale = observer.high / 127  # 对称 int8：正半边只有 0 … 127
symmetric = torch.round(x / symmetric_scale).clamp(-127, 127) * symmetric_scale
error_asym = (x - asymmetric).square().mean().item()
error_sym = (x - symmetric).square().mean().item()
assert error_asym < error_sym / 3  # 刻度细了一倍，均方误差约为四分之一
print(
    f"均方误差: 非对称 {error_asym:.3e}，对称 {error_sym:.3e}，"
    f"后者是前者的 {error_sym / error_asym:.1f} 倍"
)
# --8<-- [end:calibrate]

# --8<-- [start:matmul]
w_scale = weight.abs().amax(dim=1) / 127  # 权重：逐输出通道对称 int8
w_q = torch.round(weight / w_scale[:, None]).to(torch.int8)
codes = quantize_codes(x, scale, zero_point).to(torch.int64)  # 0 … 255，放不进 int8
shifted = (codes - 128).to(torch.int8)  # −128 … 127
# Σ (q − z) w = Σ (q − 128) w + (128 − z) Σ w：最后一项每个输出通道只算一次
correction = (128 - zero_point) * w_q.to(torch.int32).sum(dim=1)
summed = torch._int_mm(shifted, w_q.t()) + correction
exact = (codes - zero_point) @ w_q.to(torch.int64).t()
assert torch.equal(summed.to(torch.int64), exact)
out = summed.to(torch.float32) * (scale * w_scale)
relative = ((out - x @ weight.t()).abs().max() / (x @ weight.t()).abs().max()).item()
assert relative < 0.01
print(f"减 128 再加回修正项，整数和与精确值逐个相同: {torch.equal(summed.to(torch.int64), exact)}")
print(f"与 float32 结果的最大偏差（相对最大输出）: {relative:.2%}")
# --8<-- [end:matmul]
