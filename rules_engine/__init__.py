"""magicmix: policy as code for the tenant mix of Dutch housing corporations.

Flow: load -> validate -> compile -> evaluate -> explain -> report.
Public API: load_policy, check_policy, evaluate, evaluate_batch, load_household, load_occupancy.
"""

from .api import (check_policy, evaluate, evaluate_batch, example_occupancy, load_household, load_occupancy,
                  load_policy)
from .version import __version__

__all__ = ["__version__", "check_policy", "evaluate", "evaluate_batch", "example_occupancy", "load_household",
           "load_occupancy", "load_policy"]
