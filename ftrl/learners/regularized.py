r"""Follow the Regularized Leader with any regularizer of :mod:`ftrl.regularizers`."""

from __future__ import annotations

import math
from typing import Any, ClassVar

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl._validation import check_int
from ftrl.learners.base import FullInformationLearner
from ftrl.ops import vector_dot
from ftrl.regularizers import Regularizer, make_regularizer, regularizer_argmin
from ftrl.schedules import learning_rate, resolve_rate

__all__ = ["FTRL"]


@kernel
def ftrl_block(
    losses: NDArray[np.float64],
    expected_loss_out: NDArray[np.float64],
    counter: NDArray[np.int64],
    weights: NDArray[np.float64],
    cum_losses: NDArray[np.float64],
    regularizer_code: int,
    regularizer_params: NDArray[np.float64],
    rate_code: int,
    rate_params: NDArray[np.float64],
) -> None:
    """FTRL over a block: pay, accumulate, then the regularizer's argmin at the next round's rate."""
    n = cum_losses.shape[0]
    t = counter[0]
    for row in range(losses.shape[0]):
        loss = losses[row]
        expected_loss_out[row] = vector_dot(weights, loss)
        for i in range(n):
            cum_losses[i] += loss[i]
        t += 1
        eta = learning_rate(rate_code, rate_params, t + 1, 0.0)
        regularizer_argmin(regularizer_code, regularizer_params, cum_losses, eta, weights)
    counter[0] = t


class FTRL(FullInformationLearner):
    r"""Follow the Regularized Leader on the simplex.

    .. math::

        p_t = \arg\min_{p \in \Delta_N} \langle p, L_{t-1}\rangle + \frac{R(p)}{\eta_t} .

    With a fixed :math:`\eta` the regret is at most :math:`D/\eta + \frac{\eta}{2}\sum_t \lVert\ell_t\rVert_*^2`
    for a 1-strongly convex :math:`R` with diameter :math:`D` (Orabona 2019, Cor. 7.9). ``horizon`` gives
    :math:`\eta = \sqrt{c/T}` and neither ``eta`` nor ``horizon`` the anytime :math:`\eta_t = \sqrt{c/t}`, with the
    regularizer's :meth:`~ftrl.regularizers.Regularizer.rate_constant` :math:`c` (losses in [0, 1]); for the
    negative entropy :math:`c = 8\ln N`, so ``FTRL(N, "entropy", ...)`` is :class:`Hedge`.

    Parameters
    ----------
    n_experts : int
        Number of experts.
    regularizer : Regularizer or str
        An object of :mod:`ftrl.regularizers` or a name: "entropy", "euclidean", "tsallis", "log-barrier".
    eta : float, optional
        Fixed rate in (0, inf].
    horizon : int, optional
        Horizon T for the tuned rate (exclusive with ``eta``).
    regularizer_params : dict, optional
        Parameters of a regularizer given by name (e.g. ``{"alpha": 0.5}`` for "tsallis").

    References
    ----------
    S. Shalev-Shwartz, "Online Learning and Online Convex Optimization", FnT ML 4(2), 2012, ch. 2.
    F. Orabona, "A Modern Introduction to Online Learning", 2019, ch. 7.
    """

    name: ClassVar[str] = "ftrl"
    block_kernel = staticmethod(ftrl_block)

    def __init__(self, n_experts: int, regularizer: Regularizer | str = "entropy", *, eta: float | None = None,
                 horizon: int | None = None, regularizer_params: dict[str, Any] | None = None) -> None:
        owner = type(self).__name__
        self.regularizer = make_regularizer(regularizer, owner, regularizer_params or {})
        constant = self.regularizer.rate_constant(check_int(n_experts, "n_experts", owner, low=1))
        if eta is None and not math.isfinite(constant):
            raise ValueError(
                f"The 'eta' parameter of {owner} must be given for the {self.regularizer.name} regularizer, whose "
                f"diameter on the simplex is infinite. Got None instead."
            )
        self._schedule = resolve_rate(eta, horizon, owner, tuned_constant=constant, anytime_constant=constant)
        self._params: dict[str, Any] = {
            "regularizer": self.regularizer.name,
            "eta": None if eta is None else float(eta),
            "horizon": None if horizon is None else int(horizon),
            "regularizer_params": dict(self.regularizer.params),
        }
        super().__init__(n_experts)

    def _initial_state(self) -> tuple[Any, ...]:
        counter, weights = self._uniform_state()
        return (counter, weights, np.zeros(self.n_experts), self.regularizer.code, self.regularizer.kernel_params,
                self._schedule.code, self._schedule.params)

    @property
    def cum_losses(self) -> NDArray[np.float64]:
        """The cumulative losses :math:`L_t` (a copy)."""
        return self._state[2].copy()
