"""Loss environments for prediction with expert advice: stochastic, adversarial, adaptive, non-stationary, data.

Stands alone (never imports ``ftrl``): any learner can face these environments. See
:mod:`environments.base` for the protocol.
"""

from __future__ import annotations

from environments.adversarial import AboveUniformAdversary, CoinFlips, FTLTrap, GreedyAdversary, RotatingBest
from environments.base import BaseEnvironment, Environment, is_oblivious
from environments.checker import EnvironmentCheckError, check_env
from environments.data import ExpertForecasts, Replay
from environments.nonstationary import Drifting, Switching
from environments.registry import make, names, register
from environments.stochastic import Bernoulli, Beta, Gaussian, gap_instance
from environments.wrappers import SleepingEnvironment

for _cls in (
    Bernoulli,
    Gaussian,
    Beta,
    FTLTrap,
    CoinFlips,
    RotatingBest,
    GreedyAdversary,
    AboveUniformAdversary,
    Switching,
    Drifting,
    Replay,
    ExpertForecasts,
):
    register(_cls.name, _cls)
del _cls

__all__ = [
    "AboveUniformAdversary",
    "BaseEnvironment",
    "Bernoulli",
    "Beta",
    "CoinFlips",
    "Drifting",
    "Environment",
    "EnvironmentCheckError",
    "ExpertForecasts",
    "FTLTrap",
    "Gaussian",
    "GreedyAdversary",
    "Replay",
    "RotatingBest",
    "SleepingEnvironment",
    "Switching",
    "check_env",
    "gap_instance",
    "is_oblivious",
    "make",
    "names",
    "register",
]
