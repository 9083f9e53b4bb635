"""Online learners for prediction with expert advice; see :mod:`ftrl.learners.base` for the protocol.

``make_learner(name, n_experts, **params)`` builds a learner from its registry name; ``learner_names()`` lists
the names.
"""

from __future__ import annotations

from typing import Any

from ftrl._validation import check_choice
from ftrl.learners.adahedge import AdaHedge, FlipFlop
from ftrl.learners.bandits import Exp3, TsallisINF
from ftrl.learners.base import (
    BanditLearner,
    BanditProtocol,
    FullInformationLearner,
    FullInformationProtocol,
    Learner,
    sample_index,
)
from ftrl.learners.boa import BOA
from ftrl.learners.coin_betting import KTExperts
from ftrl.learners.fixed_share import FixedShare
from ftrl.learners.hedge import FTL, Hedge
from ftrl.learners.mlpoly import MLPoly
from ftrl.learners.normalhedge import NormalHedge
from ftrl.learners.regularized import FTRL
from ftrl.learners.squint import Squint
from ftrl.learners.wrappers import Delayed, Sleeping, simulate_sleeping

__all__ = [
    "BOA",
    "FTL",
    "FTRL",
    "AdaHedge",
    "BanditLearner",
    "BanditProtocol",
    "Delayed",
    "Exp3",
    "FixedShare",
    "FlipFlop",
    "FullInformationLearner",
    "FullInformationProtocol",
    "Hedge",
    "KTExperts",
    "Learner",
    "MLPoly",
    "NormalHedge",
    "Sleeping",
    "Squint",
    "TsallisINF",
    "learner_names",
    "make_learner",
    "sample_index",
    "simulate_sleeping",
]

_REGISTRY: dict[str, type[Learner]] = {
    cls.name: cls for cls in (Hedge, FTL, AdaHedge, FlipFlop, FixedShare, FTRL, Exp3, TsallisINF,
                             Squint, NormalHedge, BOA, MLPoly, KTExperts)
}


def learner_names() -> list[str]:
    """The registry names of the built-in learners."""
    return list(_REGISTRY)


def make_learner(name: str, n_experts: int, **params: Any) -> Learner:
    """Build the learner registered as ``name`` (see :func:`learner_names`) with ``n_experts`` and ``params``.

    Examples
    --------
    >>> from ftrl import make_learner
    >>> make_learner("hedge", 4, horizon=100)
    Hedge(n_experts=4, eta=None, horizon=100)
    """
    check_choice(name, "name", tuple(_REGISTRY), "make_learner")
    return _REGISTRY[name](n_experts, **params)
