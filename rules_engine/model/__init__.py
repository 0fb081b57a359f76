"""The model: the policy as immutable data (policy.py), its homes (units.py), its registries (levels, outcomes,
value types) and the decision record."""
