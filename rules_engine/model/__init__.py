"""The model: the policy as immutable data (policy.py), its homes (units.py), its registries (levels, outcomes,
value types) and the decision record."""

from .policy import *  # noqa: F401,F403 - `from rules_engine.model import Policy` as before the subpackages
