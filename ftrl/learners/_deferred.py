r"""Weights normalized lazily, for the two-pass block kernels of BOA, ML-Poly and the KT experts.

Inside a block those kernels leave the weights of round t + 1 unnormalized, :math:`w_{t+1}`, with their sum
:math:`W_{t+1}` in a one-element array ``normalizer``, so that the update pass need not be followed by a sum
pass and a scaling pass. The next round's pay normalizes them,
:math:`p_{t+1} = w_{t+1} \cdot (1/W_{t+1})`, sets :math:`W = 1` and takes
:math:`\langle p_{t+1}, \ell_{t+1}\rangle`; the end of a block normalizes the same way. So the learner's
``weights`` hold :math:`p_t` between kernel calls, and the numbers do not depend on how the rounds are cut
into blocks: normalizing weights whose ``normalizer`` is 1 multiplies them by 1.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel

__all__ = ["normalize", "normalize_and_pay"]


@kernel
def _scale(weight: float, scale: float) -> float:
    """``weight * scale`` with exact arithmetic (also inside the reassociating loop below)."""
    return weight * scale


@kernel
def normalize(weights: NDArray[np.float64], normalizer: NDArray[np.float64]) -> None:
    r""":math:`p = w \cdot (1/W)` in place, :math:`W` = ``normalizer[0]``, then ``normalizer[0] = 1``."""
    scale = 1.0 / normalizer[0]
    for i in range(weights.shape[0]):
        weights[i] = _scale(weights[i], scale)
    normalizer[0] = 1.0


@kernel(reassociate=True)
def normalize_and_pay(
    weights: NDArray[np.float64], normalizer: NDArray[np.float64], loss: NDArray[np.float64]
) -> float:
    r""":func:`normalize`, then :math:`\langle p, \ell\rangle`, in one pass: a reassociating kernel, so
    the sum is vectorized in an order that depends on the length alone; the product :math:`p = w \cdot (1/W)`
    is exact arithmetic, the same as :func:`normalize`'s."""
    scale = 1.0 / normalizer[0]
    paid = 0.0
    for i in range(weights.shape[0]):
        weight = _scale(weights[i], scale)
        weights[i] = weight
        paid += weight * loss[i]
    normalizer[0] = 1.0
    return paid
