"""magicmix: policy as code for the tenant mix of Dutch housing corporations.

Flow: load -> validate -> compile -> evaluate -> explain -> report.
Public API: load_policy, check_policy, evaluate, evaluate_batch, load_household, load_occupancy.
"""

import sys
import types

from . import moved
from .version import __version__

moved.install()

__all__ = ["__version__", "check_policy", "evaluate", "evaluate_batch", "example_occupancy", "load_household",
           "load_occupancy", "load_policy"]


def _api(name: str):
    def get(module):
        from . import api

        return getattr(api, name)

    def put(module, value):  # importing the submodule rules_engine.engine.evaluate must not hide the function evaluate
        pass

    return property(get, put, doc=f"rules_engine.api.{name}")


class _Package(types.ModuleType):
    """The package, whose public API is imported on first use: `import rules_engine.cli` (magicmix --help) need
    not load the engine."""


for _name in __all__[1:]:
    setattr(_Package, _name, _api(_name))
sys.modules[__name__].__class__ = _Package
