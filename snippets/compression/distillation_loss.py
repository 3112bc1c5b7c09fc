"""知识蒸馏的软目标损失：温度 T、KL 散度，以及为什么要乘 T²。"""

import torch
from torch.nn import functional as F


# --8<-- [start:loss]
def soft_target_loss(student_logits, teacher_logits, temperature: float) -> torch.Tensor:
    """T² · KL(softmax(教师的 logits / T) ‖ softmax(学生的 logits / T))，对批取平均。"""
    log_p_student = F.log_softmax(student_logits / temperature, dim=1)
    log_p_teacher = F.log_softmax(teacher_logits / temperature, dim=1)
    kl = F.kl_div(log_p_student, log_p_teacher, log_target=True, reduction="batchmean")
    return temperature**2 * kl


def distillation_loss(student_logits, teacher_logits, labels, temperature, alpha):
    """α · 软目标损失 + (1 − α) · 与真实标签的交叉熵。"""
    soft = soft_target_loss(student_logits, teacher_logits, temperature)
    return alpha * soft + (1 - alpha) * F.cross_entropy(student_logits, labels)


# --8<-- [end:loss]

# --8<-- [start:check]
torch.manual_seed(0)
batch, classes = 8, 10
teacher = torch.randn(batch, classes, dtype=torch.float64) * 3
student = torch.randn(batch, classes, dtype=torch.float64, requires_grad=True)

print("温度       乘 T² 的 |grad|    不乘 T² 的 |grad|")
for temperature in (1.0, 2.0, 4.0, 8.0, 16.0):
    (grad,) = torch.autograd.grad(soft_target_loss(student, teacher, temperature), student)
    p_student = F.softmax(student.detach() / temperature, dim=1)
    p_teacher = F.softmax(teacher / temperature, dim=1)
    # 解析梯度：∂/∂z = (T / B) · (p_T(学生) − p_T(教师))，B 是批大小
    assert torch.allclose(grad, temperature / batch * (p_student - p_teacher))
    print(f"T = {temperature:<4g} {grad.norm():>12.4f} {grad.norm() / temperature**2:>20.6f}")

# T 很大时，乘过 T² 的梯度趋于 (学生 − 教师) / (类别数 · B)（两者各自减去每行的均值）：与 T 无关
centred = lambda logits: logits - logits.mean(dim=1, keepdim=True)  # noqa: E731
limit = (centred(student.detach()) - centred(teacher)) / (classes * batch)
deviations = []
for temperature in (10.0, 100.0, 1000.0):
    (grad,) = torch.autograd.grad(soft_target_loss(student, teacher, temperature), student)
    deviations.append(((grad - limit).norm() / limit.norm()).item())
    print(f"T = {temperature:<6g} 与极限的相对偏差 |grad − 极限| / |极限| = {deviations[-1]:.2g}")
assert deviations[0] > deviations[1] > deviations[2] < 0.01  # 偏差约与 1/T 成正比

labels = teacher.argmax(dim=1)
loss = distillation_loss(student, teacher, labels, temperature=4.0, alpha=0.9)
print(f"T = 4、α = 0.9 时的蒸馏损失: {loss.item():.4f}")
# --8<-- [end:check]
