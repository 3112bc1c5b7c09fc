"""练习 7：窗口 [[0, 2], [2, 4]] 做随机池化：推理输出是多少？训练时抽到 4 的概率是多少？"""

from fractions import Fraction

window = [0, 2, 2, 4]
total = sum(window)
inference = Fraction(sum(a * a for a in window), total)  # Σ p_i a_i = Σ a_i² / Σ a_j
print(f"推理输出 {sum(a * a for a in window)}/{total} = {inference}")
print(f"抽到 4 的概率 {Fraction(4, total)}")
