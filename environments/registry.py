"""A string-id registry of environment classes: ``make(name, **params)``, ``register``, ``names``."""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

from environments.base import BaseEnvironment

_REGISTRY: dict[str, Callable[..., Any]] = {}


def register(name: str, cls: Callable[..., Any], *, overwrite: bool = False) -> None:
    """Make ``cls`` buildable as ``make(name, **params)``.

    Parameters
    ----------
    name : str
        A non-empty id such as ``"bernoulli"``.
    cls : callable
        The environment class (or any factory returning an environment).
    overwrite : bool, default False
        Replacing an existing name is a ValueError unless this is True.
    """
    if not isinstance(name, str) or not name:
        raise ValueError(f"The 'name' parameter of register must be a non-empty str. Got {name!r} instead.")
    if not callable(cls):
        raise TypeError(f"The 'cls' parameter of register must be a class or callable. Got {cls!r} instead.")
    if name in _REGISTRY and not overwrite and _REGISTRY[name] is not cls:
        raise ValueError(
            f"An environment named {name!r} is already registered ({_REGISTRY[name].__name__}); "
            "pass overwrite=True to replace it."
        )
    _REGISTRY[name] = cls
    if isinstance(cls, type) and issubclass(cls, BaseEnvironment) and not cls.name:
        cls.name = name


def names() -> list[str]:
    """The registered names, sorted."""
    return sorted(_REGISTRY)


def make(name: str, **params: Any) -> Any:
    """Build the environment registered as ``name`` with the given constructor parameters.

    Examples
    --------
    >>> env = make("bernoulli", means=[0.3, 0.6])
    >>> env.n_experts
    2
    """
    if name not in _REGISTRY:
        raise ValueError(f"Unknown environment {name!r}. Known environments: {', '.join(names())}.")
    factory = _REGISTRY[name]
    try:
        signature = inspect.signature(factory)
    except (TypeError, ValueError):  # some builtins and C callables have no signature
        return factory(**params)
    accepts_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values())
    known = [
        p.name
        for p in signature.parameters.values()
        if p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    ]
    unknown = sorted(set(params) - set(known))
    if unknown and not accepts_any:
        raise TypeError(
            f"make({name!r}) got unknown parameter(s) {unknown}; {getattr(factory, '__name__', name)} accepts: "
            f"{', '.join(known) or 'no parameters'}."
        )
    missing = [
        p.name
        for p in signature.parameters.values()
        if p.default is inspect.Parameter.empty
        and p.name not in params
        and p.kind in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    ]
    if missing:
        raise TypeError(f"make({name!r}) needs the parameter(s) {missing}.")
    return factory(**params)
