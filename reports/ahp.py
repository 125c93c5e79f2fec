"""Dimension weights from the office's pairwise judgements (AHP, 层次分析法).

Saaty's eigenvector method: the weights are the principal right eigenvector of the reciprocal
judgement matrix, normalised to sum to 1. λmax exceeds n exactly as far as the judgements
contradict one another, which gives CI = (λmax − n)/(n − 1) and CR = CI / RI, RI being the
mean CI of random matrices of the same size. CR < 0.10 is Saaty's rule for "acceptable".

Plain numpy, no Django. Messages meant for the office are in Chinese (`AhpError`).
"""

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

CR_LIMIT = 0.10
# Saaty (1980), as tabulated in R AHPWR's CR.R; the classic table most Chinese texts use.
RI_SAATY_1980 = {
    1: 0.0,
    2: 0.0,
    3: 0.58,
    4: 0.90,
    5: 1.12,
    6: 1.24,
    7: 1.32,
    8: 1.41,
    9: 1.45,
    10: 1.49,
    11: 1.51,
    12: 1.48,
    13: 1.56,
    14: 1.57,
    15: 1.59,
}
# Saaty (2005) as used by the AHPy project; pass it to reproduce AHPy's published CRs.
RI_SAATY_2005 = {
    1: 0.0,
    2: 0.0,
    3: 0.52,
    4: 0.89,
    5: 1.11,
    6: 1.25,
    7: 1.35,
    8: 1.40,
    9: 1.45,
    10: 1.49,
    11: 1.52,
    12: 1.54,
    13: 1.56,
    14: 1.58,
    15: 1.59,
}
SCALE = tuple(Fraction(1, k) for k in range(9, 1, -1)) + tuple(Fraction(k) for k in range(1, 10))
# Reciprocity is checked loosely: 0.3333333333333333 · 3 is not exactly 1 in floats.
TOLERANCE = 1e-6


class AhpError(ValueError):
    """A judgement matrix that cannot be used, with a message fit to show the office."""


@dataclass(frozen=True)
class InconsistentPair:
    """One judgement set against what the weights imply for it."""

    i: int
    j: int
    given: float  # a_ij as judged
    implied: float  # w_i / w_j from the weights of all judgements together
    deviation: float  # |ln(a_ij · w_j / w_i)|: 0 when the judgement agrees

    @property
    def factor(self) -> float:
        """How many times too large or too small the judgement is."""
        return math.exp(self.deviation)


@dataclass(frozen=True)
class AhpResult:
    weights: tuple[float, ...]
    lambda_max: float
    ci: float
    cr: float
    inconsistent_pairs: tuple[InconsistentPair, ...]  # most inconsistent first

    @property
    def acceptable(self) -> bool:
        return self.cr < CR_LIMIT


def _name(k: int, labels: Sequence[str] | None) -> str:
    return f"“{labels[k]}”" if labels else f"第{k + 1}项"


def scale_label(value: float) -> str:
    """A judgement as the office writes it: 3, 1/3, or a decimal when off the scale."""
    for point in SCALE:
        if math.isclose(value, point, rel_tol=TOLERANCE):
            return str(point)
    return f"{value:.2f}"


def _scale_value(raw, i: int, j: int, labels) -> float:
    """A judgement snapped onto Saaty's 1/9…9 scale, or AhpError."""
    where = f"{_name(i, labels)}与{_name(j, labels)}的比较值"
    try:
        value = Fraction(raw.strip()) if isinstance(raw, str) else Fraction(float(raw))
    except (ValueError, TypeError, ZeroDivisionError, OverflowError):
        raise AhpError(f"{where}“{raw}”不是数字。") from None
    for point in SCALE:
        if math.isclose(float(value), point, rel_tol=TOLERANCE):
            return float(point)
    raise AhpError(f"{where}为 {raw}，不在 1～9 标度上。请填写 1～9 的整数或其倒数（如 1/3）。")


def complete_reciprocal(judgements, n: int | None = None, *, labels=None) -> np.ndarray:
    """The full n×n matrix from the judgements given: a_ji = 1/a_ij, 1 on the diagonal.

    judgements is either {(i, j): value} (usually the upper triangle) or an n×n nested
    sequence with None where nothing was judged. Values may be numbers or strings like "1/3".
    Every pair must be judged once, or twice consistently."""
    if isinstance(judgements, Mapping):
        if n is None:
            n = 1 + max((max(key) for key in judgements), default=-1)
        given = [[None] * n for _ in range(n)]
        for (i, j), value in judgements.items():
            if not (0 <= i < n and 0 <= j < n):
                raise AhpError(f"比较项 ({i + 1}, {j + 1}) 超出了 {n} 个指标的范围。")
            given[i][j] = value
    else:
        given = [list(row) for row in judgements]
        n = len(given)
        if any(len(row) != n for row in given):
            raise AhpError("判断矩阵必须是方阵。")
    if n < 1:
        raise AhpError("判断矩阵至少要有一个指标。")
    matrix = np.ones((n, n))
    for i in range(n):
        if given[i][i] is not None and _scale_value(given[i][i], i, i, labels) != 1:
            raise AhpError(f"{_name(i, labels)}与自身的比较值必须为 1。")
        for j in range(i + 1, n):
            upper, lower = given[i][j], given[j][i]
            if upper is None and lower is None:
                raise AhpError(f"缺少{_name(i, labels)}与{_name(j, labels)}的比较。")
            a = _scale_value(upper, i, j, labels) if upper is not None else None
            b = _scale_value(lower, j, i, labels) if lower is not None else None
            if a is not None and b is not None and not math.isclose(a * b, 1, rel_tol=TOLERANCE):
                raise AhpError(
                    f"{_name(i, labels)}与{_name(j, labels)}的两个比较值"
                    f"（{scale_label(a)} 和 {scale_label(b)}）应互为倒数。"
                )
            a = a if a is not None else 1 / b
            matrix[i, j], matrix[j, i] = a, 1 / a
    return matrix


def _check_matrix(matrix) -> np.ndarray:
    try:
        a = np.asarray(matrix, dtype=float)
    except (TypeError, ValueError):
        raise AhpError("判断矩阵只能包含数字。") from None
    if a.ndim != 2 or a.shape[0] != a.shape[1] or a.shape[0] < 1:
        raise AhpError("判断矩阵必须是非空方阵。")
    if not (np.isfinite(a).all() and (a > 0).all()):
        raise AhpError("判断矩阵的元素必须都是正数。")
    if not np.allclose(a * a.T, 1, rtol=TOLERANCE, atol=0):
        raise AhpError("判断矩阵必须互反：a_ji = 1/a_ij，对角线为 1。")
    return a


def _random_index(n: int, ri_table: Mapping) -> float:
    table = {int(k): float(v) for k, v in ri_table.items()}
    if n not in table or table[n] <= 0:
        raise AhpError(f"随机一致性指标表中没有 {n} 阶的 RI 值，无法检验一致性。")
    return table[n]


def ahp_weights(matrix, ri_table: Mapping = RI_SAATY_1980) -> AhpResult:
    """Weights, λmax, CI, CR and the judgements ranked by inconsistency.

    Any positive reciprocal matrix is accepted (a group's geometric-mean judgements are off
    the 1–9 scale); `complete_reciprocal` is where the office's own entries are checked."""
    a = _check_matrix(matrix)
    n = len(a)
    eigenvalues, eigenvectors = np.linalg.eig(a)
    # The Perron root of a positive matrix is real and the largest; its vector is one-signed.
    k = int(np.argmax(eigenvalues.real))
    vector = np.abs(eigenvectors[:, k].real)
    weights = vector / vector.sum()
    lambda_max = float(eigenvalues[k].real)
    # λmax ≥ n in exact arithmetic; a consistent matrix may give n − 1e-15, which is not
    # "negative inconsistency".
    ci = max(0.0, (lambda_max - n) / (n - 1)) if n > 1 else 0.0
    cr = 0.0 if n <= 2 else ci / _random_index(n, ri_table)
    pairs = [
        InconsistentPair(
            i=i,
            j=j,
            given=float(a[i, j]),
            implied=float(weights[i] / weights[j]),
            deviation=abs(math.log(a[i, j] * weights[j] / weights[i])),
        )
        for i in range(n)
        for j in range(i + 1, n)
    ]
    pairs.sort(key=lambda pair: -pair.deviation)  # stable: equal deviations keep (i, j) order
    return AhpResult(
        weights=tuple(float(w) for w in weights),
        lambda_max=lambda_max,
        ci=ci,
        cr=cr,
        inconsistent_pairs=tuple(pairs),
    )


def ensure_acceptable(result: AhpResult, *, labels=None) -> AhpResult:
    """The result if CR < 0.10; otherwise AhpError naming the judgement to revisit first."""
    if result.acceptable:
        return result
    worst = result.inconsistent_pairs[0]
    raise AhpError(
        f"判断矩阵的一致性比率 CR = {result.cr:.3f}，未达到 CR < {CR_LIMIT:.2f} 的要求。"
        f"最不一致的是{_name(worst.i, labels)}相对{_name(worst.j, labels)}的判断："
        f"填写的是 {scale_label(worst.given)}，而按算得的权重应约为 {worst.implied:.2f}。"
        "请先复核这一项。"
    )
