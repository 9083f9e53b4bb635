"""Adapters that plug ftrl's aggregation into other online-learning libraries (each an optional extra).

- :mod:`ftrl.adapters.river`: ``FTRLRegressor``, a river regressor aggregating river models (``pip install
  ftrl[river]``).
- :mod:`ftrl.adapters.sklearn`: ``OnlineAggregatorRegressor``, a scikit-learn estimator aggregating fitted
  forecasters online (``pip install ftrl[sklearn]``).

Import the submodule you need; this package imports neither library.
"""
