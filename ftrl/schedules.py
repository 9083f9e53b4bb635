r"""Learning-rate schedules for exponential weights and FTRL, usable inside compiled kernels.

A schedule is an integer code and a small float64 parameter array; :func:`learning_rate` turns them, the round
index :math:`t \ge 1` and (for AdaHedge) the cumulative mixability gap :math:`\Delta_{t-1}` into :math:`\eta_t`:

=====================  ==================================  ===========================================
kind                   :math:`\eta_t`                      parameters
=====================  ==================================  ===========================================
``fixed``              :math:`\eta`                        ``[eta]``
``horizon-tuned``      :math:`\sqrt{c / T}`                ``[sqrt(c / T)]`` (a constant rate)
``anytime``            :math:`\sqrt{c / t}`                ``[c]``
``mixability-gap``     :math:`\ln N / \Delta_{t-1}`        ``[ln N]``, :math:`\eta = \infty` while
                                                           :math:`\Delta = 0` (Follow the Leader)
=====================  ==================================  ===========================================

For Hedge with losses in [0, 1], :math:`c = 8 \ln N`: the horizon-tuned rate gives regret at most
:math:`\sqrt{(T/2)\ln N}` and the anytime rate at most :math:`2\sqrt{(T/2)\ln N} + \sqrt{\ln N / 8}`
(Cesa-Bianchi & Lugosi 2006, Thm. 2.2 and 2.3).

References
----------
N. Cesa-Bianchi, G. Lugosi, *Prediction, Learning, and Games*, Cambridge University Press, 2006, sec. 2.2-2.3.
S. de Rooij, T. van Erven, P. D. Grunwald, W. M. Koolen, "Follow the Leader If You Can, Hedge If You Must",
JMLR 15, 2014, Fig. 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from numpy.typing import NDArray

from ftrl._jit import kernel
from ftrl._validation import check_int, check_real

__all__ = [
    "ANYTIME",
    "FIXED",
    "MIXABILITY_GAP",
    "Schedule",
    "anytime",
    "fixed",
    "horizon_tuned",
    "learning_rate",
    "mixability_gap",
    "resolve_rate",
]

FIXED = 0
ANYTIME = 1
MIXABILITY_GAP = 2


@kernel
def learning_rate(code: int, params: NDArray[np.float64], t: int, gap: float) -> float:
    r"""The rate :math:`\eta_t` of round ``t`` (1-based) for schedule ``code`` with ``params``; see the module table."""
    if code == ANYTIME:
        return math.sqrt(params[0] / t)
    if code == MIXABILITY_GAP:
        return params[0] / gap if gap > 0.0 else np.inf
    return params[0]


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule: ``kind`` for people, ``code`` and ``params`` for kernels."""

    kind: str
    code: int
    params: NDArray[np.float64] = field(compare=False)

    def rate(self, t: int, gap: float = 0.0) -> float:
        r""":math:`\eta_t` for round ``t`` (1-based); ``gap`` is the cumulative mixability gap (AdaHedge only)."""
        return float(learning_rate(self.code, self.params, t, gap))


def fixed(eta: float) -> Schedule:
    r"""The constant rate :math:`\eta_t = \eta`."""
    return Schedule("fixed", FIXED, np.array([float(eta)]))


def horizon_tuned(constant: float, horizon: int) -> Schedule:
    r"""The constant rate :math:`\eta = \sqrt{c/T}` tuned for a known horizon :math:`T`."""
    return Schedule("horizon-tuned", FIXED, np.array([math.sqrt(constant / horizon)]))


def anytime(constant: float) -> Schedule:
    r"""The decreasing rate :math:`\eta_t = \sqrt{c/t}` (no horizon needed)."""
    return Schedule("anytime", ANYTIME, np.array([float(constant)]))


def mixability_gap(n_experts: int) -> Schedule:
    r"""AdaHedge's rate :math:`\eta_t = \ln N / \Delta_{t-1}` (infinite while :math:`\Delta_{t-1} = 0`)."""
    return Schedule("mixability-gap", MIXABILITY_GAP, np.array([math.log(n_experts)]))


def resolve_rate(
    eta: Any, horizon: Any, owner: str, *, tuned_constant: float, anytime_constant: float, allow_inf: bool = True
) -> Schedule:
    r"""The schedule chosen by the ``eta`` / ``horizon`` pair of a learner's constructor.

    ``eta`` given: fixed; ``horizon`` given: :math:`\sqrt{c_{\text{tuned}}/T}`; neither: anytime
    :math:`\sqrt{c_{\text{anytime}}/t}`; both: ValueError.
    """
    if eta is not None and horizon is not None:
        raise ValueError(
            f"The 'eta' and 'horizon' parameters of {owner} are exclusive: give eta for a fixed rate, horizon for "
            f"the horizon-tuned rate, or neither for the anytime rate. Got eta={eta!r} and horizon={horizon!r}."
        )
    if eta is not None:
        return fixed(check_real(eta, "eta", owner, low=0.0, high=math.inf, low_open=True,
                                high_open=not allow_inf))
    if horizon is not None:
        return horizon_tuned(tuned_constant, check_int(horizon, "horizon", owner, low=1))
    return anytime(anytime_constant)
