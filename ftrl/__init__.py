"""ftrl: Follow-the-Regularized-Leader for prediction with expert advice."""

from ftrl import regret
from ftrl.aggregation import Aggregator, aggregate
from ftrl.experiment import run_experiment
from ftrl.learners import (
    BOA,
    FTL,
    FTRL,
    AdaHedge,
    Exp3,
    FixedShare,
    FlipFlop,
    Hedge,
    KTExperts,
    MLPoly,
    NormalHedge,
    Squint,
    TsallisINF,
    learner_names,
    make_learner,
)
from ftrl.learners.wrappers import Delayed, Sleeping, simulate_sleeping
from ftrl.ops import entropic_argmin, logsumexp, smooth_min, softmax
from ftrl.regularizers import Euclidean, LogBarrier, NegativeEntropy, Tsallis
from ftrl.simulate import simulate
from ftrl.store import load_results

__version__ = "0.1.0"

__all__ = [
    "BOA",
    "FTL",
    "FTRL",
    "AdaHedge",
    "Aggregator",
    "Delayed",
    "Euclidean",
    "Exp3",
    "FixedShare",
    "FlipFlop",
    "Hedge",
    "KTExperts",
    "LogBarrier",
    "MLPoly",
    "NegativeEntropy",
    "NormalHedge",
    "Sleeping",
    "Squint",
    "Tsallis",
    "TsallisINF",
    "__version__",
    "aggregate",
    "entropic_argmin",
    "learner_names",
    "load_results",
    "logsumexp",
    "make_learner",
    "regret",
    "run_experiment",
    "simulate",
    "simulate_sleeping",
    "smooth_min",
    "softmax",
]
