"""ftrl: Follow-the-Regularized-Leader for prediction with expert advice."""

from ftrl.learners import FTL, Hedge
from ftrl.ops import entropic_argmin, logsumexp, smooth_min, softmax
from ftrl import regret
from ftrl.simulate import simulate

__version__ = "0.1.0"

__all__ = ["Hedge", "FTL", "entropic_argmin", "logsumexp", "smooth_min", "softmax", "simulate", "regret", "__version__"]
