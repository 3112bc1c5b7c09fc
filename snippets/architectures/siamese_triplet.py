"""孪生网络与三元组损失：同一个嵌入网络（同一份权重）处理两张或三张图，比较它们的嵌入向量。"""

import torch
from torch import nn
from torch.nn import functional as F

# --8<-- [start:embed]
torch.manual_seed(0)
embed = nn.Sequential(  # 把 1×28×28 的图映射成 16 维向量
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
)  # fmt: skip
# --8<-- [end:embed]

# --8<-- [start:siamese]
left, right = torch.randn(4, 1, 28, 28), torch.randn(4, 1, 28, 28)
similarity = F.cosine_similarity(embed(left), embed(right))  # 两支共用 embed：权重只有一份
print(f"未训练的网络：4 对随机图像的余弦相似度最小也有 {similarity.min().item():.3f}")
similarity.sum().backward()
shared_grad = embed[0].weight.grad.clone()

# 共享权重的梯度 = 两支各自贡献的梯度之和（把一支的输入换成常数，就只剩另一支的贡献）
parts = []
for detach_left in (True, False):
    embed.zero_grad()
    a, b = embed(left), embed(right)
    F.cosine_similarity(
        a.detach() if detach_left else a, b if detach_left else b.detach()
    ).sum().backward()
    parts.append(embed[0].weight.grad.clone())
assert torch.allclose(shared_grad, parts[0] + parts[1], atol=1e-6)
print("共享权重的梯度 = 左支梯度 + 右支梯度:", True)
# --8<-- [end:siamese]


# --8<-- [start:triplet]
def triplet_loss(anchor, positive, negative, margin: float = 1.0) -> torch.Tensor:
    """max(d(a, p) − d(a, n) + margin, 0) 的平均：正样本要比负样本近，至少近 margin。"""
    d_pos = (anchor - positive).norm(dim=1)
    d_neg = (anchor - negative).norm(dim=1)
    return F.relu(d_pos - d_neg + margin).mean()


anchor, positive, negative = (embed(torch.randn(8, 1, 28, 28)) for _ in range(3))
ours = triplet_loss(anchor, positive, negative)
theirs = nn.TripletMarginLoss(margin=1.0, eps=0.0)(anchor, positive, negative)
assert torch.allclose(ours, theirs)
print(f"三元组损失（随机初始化的网络）: {ours.item():.4f}，与 nn.TripletMarginLoss 一致")

# 负样本已经足够远的三元组：损失为 0，梯度也为 0，它对训练没有贡献（所以要挖掘“难”样本）
far = anchor.detach() + 10.0
easy = triplet_loss(anchor, anchor.detach(), far)
assert easy.item() == 0.0
# --8<-- [end:triplet]
