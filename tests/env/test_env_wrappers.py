"""Input checks of SleepingEnvironment (its behaviour is tested with the sleeping learners in
tests/test_wrappers.py)."""

from __future__ import annotations

import json

import numpy as np
import pytest

import environments


@pytest.mark.parametrize(
    ("awake_probability", "message"),
    [
        ("0.5", r"must be a float in the range \[0\.0, 1\.0\]\. Got '0\.5' of type str instead\."),
        (True, r"must be a float in the range \[0\.0, 1\.0\]\. Got True of type bool instead\."),
        ([True, False], r"must be an array of numbers, not booleans\. Got \[True, False\]"),
        (["0.5", "0.5"], r"must be an array of numbers\. Got \['0\.5', '0\.5'\]"),
    ],
)
def test_awake_probability_of_the_wrong_kind_is_a_type_error(awake_probability: object, message: str) -> None:
    with pytest.raises(TypeError, match=rf"The 'awake_probability' parameter of SleepingEnvironment {message}"):
        environments.SleepingEnvironment(environments.Bernoulli([0.2, 0.8]), awake_probability=awake_probability)


def test_awake_probability_as_numpy_scalars_and_0d_arrays() -> None:
    base = environments.Bernoulli([0.2, 0.8])
    for probability in (np.float32(0.25), np.array(0.25)):
        env = environments.SleepingEnvironment(base, awake_probability=probability)
        np.testing.assert_array_equal(env.awake_probability, [0.25, 0.25])
        assert env.get_params()["awake_probability"] == 0.25
        json.dumps(env.get_params())
    assert environments.SleepingEnvironment.sleeping_experts is True
    assert environments.BaseEnvironment.sleeping_experts is False
