r"""Weights kept unnormalized, for the two-pass block kernels of BOA, ML-Poly and the KT experts.

Those kernels keep the weights of round t unnormalized, :math:`w_t` (``scores``), with their sum :math:`W_t`
in a one-element array ``normalizer``, from one round to the next and from one call to the next. The update
pass then need not be followed by a sum pass and a scaling pass, and the pay of round t is
:math:`\langle w_t, \ell_t\rangle / W_t` (:func:`pay`), one read of the weights. At the end of each call the
normalized weights :math:`p = w / W` are written to the learner's ``weights`` (:func:`publish`), which
therefore hold :math:`p_t` between calls; the numbers do not depend on how the rounds are cut into blocks.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl.ops import vector_dot

__all__ = ["pay", "publish", "reset"]


@kernel
def pay(scores: NDArray[np.float64], normalizer: NDArray[np.float64], loss: NDArray[np.float64]) -> float:
    r""":math:`\langle w, \ell\rangle / W`, :math:`W` = ``normalizer[0]``, with the vectorized
    :func:`~ftrl.ops.vector_dot` (its order depends on the length alone)."""
    return vector_dot(scores, loss) / normalizer[0]


@kernel
def publish(
    scores: NDArray[np.float64], normalizer: NDArray[np.float64], weights: NDArray[np.float64]
) -> None:
    r"""``weights`` :math:`= w / W`, the normalized weights (a division per entry, not a product with
    :math:`1/W`, which overflows when :math:`W` is subnormal, as after a regret of 1e-310)."""
    total = normalizer[0]
    for i in range(weights.shape[0]):
        weights[i] = scores[i] / total


@kernel
def reset(prior: NDArray[np.float64], scores: NDArray[np.float64], normalizer: NDArray[np.float64]) -> None:
    r"""Restart from ``prior`` (which sums to one): :math:`w = \pi`, :math:`W = 1`. An element loop: numba copies
    an array into a slice through a temporary, which a kernel without reference counting cannot allocate."""
    for i in range(scores.shape[0]):
        scores[i] = prior[i]
    normalizer[0] = 1.0
