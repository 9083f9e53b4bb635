"""Stochastic, stationary environments: every loss vector is drawn afresh from one fixed distribution.

Each exposes ``means`` (the expected loss of every expert) so that pseudo-regret can be computed. Blocks are
drawn in bulk from the Generator, whose methods fill arrays element by element in C order: the stream is the same
whatever the block sizes, and the same as successive ``step`` calls.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit
from numpy.typing import ArrayLike, NDArray

from environments._validation import (
    check_float,
    check_int,
    check_positive_array,
    check_unit_interval_array,
    is_scalar,
    param_error,
)
from environments.base import BaseEnvironment


@njit(cache=True)
def uniforms_below(uniforms: NDArray[np.float64], means: NDArray[np.float64]) -> None:
    """In place: ``uniforms[t, i] = 1.0 if uniforms[t, i] < means[i] else 0.0`` (one pass, no temporaries)."""
    size, n_experts = uniforms.shape
    for t in range(size):
        for i in range(n_experts):
            uniforms[t, i] = 1.0 if uniforms[t, i] < means[i] else 0.0


def bernoulli_block(rng: np.random.Generator, means: NDArray[np.float64], size: int) -> NDArray[np.float64]:
    r"""``size`` rows of independent Bernoulli(``means``) losses, written over the uniforms they come from.

    .. math:: \ell_{t,i} = \mathbb{1}[u_{t,i} < \mu_i], \quad u_{t,i} \sim \mathrm{U}[0, 1)
    """
    uniforms = rng.random((size, means.shape[0]))
    uniforms_below(uniforms, means)
    return uniforms


class Bernoulli(BaseEnvironment):
    r"""Independent Bernoulli losses with fixed means: the basic stochastic experts problem.

    .. math:: \ell_{t,i} \sim \mathrm{Bernoulli}(\mu_i), \quad \text{independent over } t \text{ and } i

    Used to measure pseudo-regret :math:`\sum_t \langle p_t, \mu \rangle - T \min_i \mu_i`; Hedge with a fixed
    rate pays :math:`O(\sqrt{T \ln N})` here while FTL and adaptive rates pay :math:`O(\ln N / \Delta)`.

    Parameters
    ----------
    means : array_like of shape (N,)
        Expected loss :math:`\mu_i \in [0, 1]` of each expert.

    References
    ----------
    .. [1] N. Cesa-Bianchi and G. Lugosi, *Prediction, Learning, and Games*, Cambridge University Press, 2006.
    .. [2] T. van Erven, P. Grunwald, W. M. Koolen and S. de Rooij, "Adaptive Hedge", NeurIPS 2011.

    Examples
    --------
    >>> env = Bernoulli([0.2, 0.8]).reset(seed=1)
    >>> env.block(3).shape
    (3, 2)
    """

    name = "bernoulli"

    def __init__(self, means: ArrayLike) -> None:
        self.means = check_unit_interval_array(means, "means", type(self).__name__)
        self.n_experts = self.means.shape[0]
        self._params = {"means": self.means}

    def _block(self, size: int) -> NDArray[np.float64]:
        return bernoulli_block(self.np_random, self.means, size)


def gap_instance(n_experts: int, gap: float, *, best_mean: float = 0.5) -> Bernoulli:
    r"""A Bernoulli instance with one best expert and a gap :math:`\Delta` to all the others.

    Expert 0 has mean ``best_mean``; experts 1..N-1 have mean ``best_mean + gap``:

    .. math:: \mu = (m, m + \Delta, \dots, m + \Delta)

    This is the instance on which gap-dependent bounds such as :math:`O(\ln N / \Delta)` for FTL or AdaHedge are
    stated; the pseudo-regret of a learner is :math:`\Delta \sum_t (1 - p_{t,0})`.

    Parameters
    ----------
    n_experts : int
        N >= 2.
    gap : float
        :math:`\Delta \ge 0` with :math:`m + \Delta \le 1` (checked on the computed sum).
    best_mean : float, default 0.5
        m in [0, 1].

    References
    ----------
    .. [1] S. de Rooij, T. van Erven, P. D. Grunwald and W. M. Koolen, "Follow the leader if you can, hedge if
       you must", JMLR 15, 2014.
    """
    n_experts = check_int(n_experts, "n_experts", "gap_instance", minimum=2)
    best_mean = check_float(best_mean, "best_mean", "gap_instance", low=0.0, high=1.0)
    gap = check_float(gap, "gap", "gap_instance", low=0.0, high=1.0)
    worst_mean = best_mean + gap
    # Checked on the sum that becomes the means, not as gap <= 1.0 - best_mean: that difference rounds
    # (1.0 - 0.9 < 0.1) and would refuse valid instances such as best_mean=0.9, gap=0.1.
    if worst_mean > 1.0:
        raise param_error(
            "gap_instance",
            "gap",
            f"a float in the range [0.0, 1 - best_mean] (best_mean + gap <= 1, with best_mean = {best_mean!r})",
            gap,
        )
    means = np.full(n_experts, worst_mean)
    means[0] = best_mean
    return Bernoulli(means)


@njit(cache=True)
def _scale_shift_clip(
    normals: NDArray[np.float64], sigma: NDArray[np.float64], locations: NDArray[np.float64]
) -> None:
    """In place: ``normals[t, i] = min(max(locations[i] + sigma[i] * normals[t, i], 0), 1)``."""
    size, n_experts = normals.shape
    for t in range(size):
        for i in range(n_experts):
            value = locations[i] + sigma[i] * normals[t, i]
            normals[t, i] = min(max(value, 0.0), 1.0)


def _normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def _normal_pdf(x: float) -> float:
    return math.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)


def clipped_normal_mean(location: float, sigma: float) -> float:
    r"""Expected value of :math:`\min(\max(Z, 0), 1)` for :math:`Z \sim N(m, \sigma^2)`, in closed form.

    With :math:`\alpha = -m/\sigma`, :math:`\beta = (1 - m)/\sigma` and :math:`\Phi, \varphi` the standard
    normal cdf and pdf,

    .. math:: \mathbb{E}[\mathrm{clip}(Z)] = m\,(\Phi(\beta) - \Phi(\alpha))
              + \sigma\,(\varphi(\alpha) - \varphi(\beta)) + 1 - \Phi(\beta).
    """
    location, sigma = float(location), float(sigma)  # Python floats: a ratio beyond the float range is inf, silently
    alpha = -location / sigma
    beta = (1.0 - location) / sigma
    inside = _normal_cdf(beta) - _normal_cdf(alpha)
    upper_tail = 0.5 * math.erfc(beta / math.sqrt(2.0))  # 1 - Phi(beta) without cancellation
    return location * inside + sigma * (_normal_pdf(alpha) - _normal_pdf(beta)) + upper_tail


class Gaussian(BaseEnvironment):
    r"""Gaussian losses clipped to [0, 1]: a stochastic environment with continuous losses.

    .. math:: \ell_{t,i} = \min(\max(m_i + \sigma_i z_{t,i}, 0), 1), \quad z_{t,i} \sim N(0, 1)

    The ``means`` attribute is the true expected loss of the clipped variable, not the location :math:`m_i`
    (they differ when :math:`m_i` is within a few :math:`\sigma_i` of 0 or 1); see :func:`clipped_normal_mean`.

    Parameters
    ----------
    means : array_like of shape (N,)
        Locations :math:`m_i \in [0, 1]` of the normal distributions before clipping (kept as ``locations``).
    sigma : float or array_like of shape (N,), default 0.1
        Standard deviations :math:`\sigma_i > 0`.

    References
    ----------
    .. [1] N. Cesa-Bianchi and G. Lugosi, *Prediction, Learning, and Games*, Cambridge University Press, 2006.
    """

    name = "gaussian"

    def __init__(self, means: ArrayLike, sigma: ArrayLike = 0.1) -> None:
        owner = type(self).__name__
        self.locations = check_unit_interval_array(means, "means", owner)
        self.n_experts = self.locations.shape[0]
        scalar = is_scalar(sigma)
        if scalar:  # a number (also a str or a bool, which check_float refuses)
            scalar_sigma = check_float(sigma, "sigma", owner, low=0.0, high=math.inf, low_open=True)
            self.sigma = np.full(self.n_experts, scalar_sigma)
        else:
            self.sigma = check_positive_array(sigma, "sigma", owner)
            if self.sigma.shape[0] == 1:
                self.sigma = np.full(self.n_experts, self.sigma[0])
            elif self.sigma.shape[0] != self.n_experts:
                raise param_error(
                    owner, "sigma", f"a float or an array of length {self.n_experts} (as 'means')", sigma
                )
        self.means = np.array([clipped_normal_mean(m, s) for m, s in zip(self.locations, self.sigma)])
        self._params = {"means": self.locations, "sigma": scalar_sigma if scalar else self.sigma}

    def _block(self, size: int) -> NDArray[np.float64]:
        losses = self.np_random.standard_normal((size, self.n_experts))
        _scale_shift_clip(losses, self.sigma, self.locations)
        return losses


class Beta(BaseEnvironment):
    r"""Beta-distributed losses in [0, 1], one Beta(a_i, b_i) per expert.

    .. math:: \ell_{t,i} \sim \mathrm{Beta}(a_i, b_i), \quad \mu_i = \frac{a_i}{a_i + b_i}

    Continuous losses with any mean and a tunable variance :math:`a b / ((a + b)^2 (a + b + 1))`; useful to see
    how second-order (variance-adaptive) bounds behave.

    Parameters
    ----------
    a, b : array_like of shape (N,)
        Shape parameters, > 0, of equal length.

    References
    ----------
    .. [1] N. Cesa-Bianchi, Y. Mansour and G. Stoltz, "Improved second-order bounds for prediction with expert
       advice", Machine Learning 66, 2007.
    """

    name = "beta"

    def __init__(self, a: ArrayLike, b: ArrayLike) -> None:
        owner = type(self).__name__
        self.a = check_positive_array(a, "a", owner)
        self.b = check_positive_array(b, "b", owner)
        if self.a.shape != self.b.shape:
            raise param_error(owner, "b", f"an array of the same length as 'a' ({self.a.shape[0]})", self.b)
        self.n_experts = self.a.shape[0]
        self.means = self.a / (self.a + self.b)
        self._params = {"a": self.a, "b": self.b}

    def _block(self, size: int) -> NDArray[np.float64]:
        return self.np_random.beta(self.a, self.b, size=(size, self.n_experts))
