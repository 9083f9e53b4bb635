"""Slow, obviously correct references for the numerical core, written without ftrl."""

from __future__ import annotations

import numpy as np


def naive_logsumexp(a: np.ndarray) -> float:
    """log(sum(exp(a))) of a 1-D array by shifting with the max (plain numpy, finite input)."""
    largest = np.max(a)
    return float(largest + np.log(np.sum(np.exp(a - largest))))


def naive_softmax(x: np.ndarray) -> np.ndarray:
    """exp(x - max) / sum, 1-D, finite input."""
    shifted = np.exp(x - np.max(x))
    return shifted / shifted.sum()


def negative_entropy(q: np.ndarray) -> float:
    """sum q log q with 0 log 0 = 0."""
    q = np.asarray(q, dtype=float)
    positive = q[q > 0]
    return float(np.sum(positive * np.log(positive)))
