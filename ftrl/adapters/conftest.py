"""Skip the doctests of an adapter whose host library is not installed (they are optional extras)."""

from __future__ import annotations

import importlib.util

collect_ignore = [f"{module}.py" for module in ("river", "sklearn") if importlib.util.find_spec(module) is None]
