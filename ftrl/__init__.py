"""ftrl: Follow-the-Regularized-Leader for prediction with expert advice."""

from ftrl.learners import (
    FTL,
    FTRL,
    AdaHedge,
    Exp3,
    FixedShare,
    FlipFlop,
    Hedge,
    TsallisINF,
    Squint,
    NormalHedge,
    BOA,
    MLPoly,
    KTExperts,
    learner_names,
    make_learner,
)
from ftrl.learners.wrappers import Delayed, Sleeping, simulate_sleeping
from ftrl.regularizers import Euclidean, LogBarrier, NegativeEntropy, Tsallis
from ftrl.ops import entropic_argmin, logsumexp, smooth_min, softmax
from ftrl import regret
from ftrl.simulate import simulate
from ftrl.aggregation import Aggregator, aggregate
from ftrl.experiment import run_experiment
from ftrl.store import load_results

__version__ = "0.1.0"

__all__ = [
    "Hedge", "FTL", "AdaHedge", "FlipFlop", "FixedShare", "FTRL", "Exp3", "TsallisINF",
    "Squint", "NormalHedge", "BOA", "MLPoly", "KTExperts", "make_learner",
    "learner_names", "NegativeEntropy", "Euclidean", "Tsallis", "LogBarrier",
    "entropic_argmin", "logsumexp", "smooth_min", "softmax", "simulate", "regret", "run_experiment",
    "load_results", "Aggregator", "aggregate", "__version__",
    "Delayed", "Sleeping", "simulate_sleeping"]
