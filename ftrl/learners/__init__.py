"""Online learners for prediction with expert advice; see :mod:`ftrl.learners.base` for the protocol."""

from __future__ import annotations

from ftrl.learners.base import BanditLearner, FullInformationLearner, Learner, sample_index
from ftrl.learners.hedge import FTL, Hedge

__all__ = ["Learner", "FullInformationLearner", "BanditLearner", "sample_index", "Hedge", "FTL"]
