"""Example parameters for every registered environment, so that common checks can run over ``names()``.

A plain module rather than a conftest, so that its import name is unique in the test tree."""

from __future__ import annotations

from typing import Any

import numpy as np

import environments

_DATA_GENERATOR = np.random.Generator(np.random.PCG64(7))

EXAMPLE_PARAMS: dict[str, dict[str, Any]] = {
    "bernoulli": {"means": [0.2, 0.5, 0.9]},
    "gaussian": {"means": [0.0, 0.5, 0.95], "sigma": [0.3, 0.1, 0.2]},
    "beta": {"a": [0.5, 2.0, 5.0], "b": [0.5, 3.0, 1.0]},
    "switching": {"means_per_segment": [[0.1, 0.9], [0.9, 0.1], [0.5, 0.4]], "change_points": [5, 20]},
    "replay": {"losses": _DATA_GENERATOR.random((300, 4))},
    "expert-forecasts": {
        "y": _DATA_GENERATOR.normal(size=300),
        "predictions": _DATA_GENERATOR.normal(size=(300, 3)),
    },
    "rotating-best": {"n_experts": 3, "period": 4, "noise": 0.3},
    "coin-flips": {"n_experts": 4},
    "drifting": {"n_experts": 3, "step_size": 0.1},
}
"""Parameters for registered names that need some (or whose defaults exercise too little); others use defaults."""


def make_example(name: str) -> Any:
    return environments.make(name, **EXAMPLE_PARAMS.get(name, {}))
