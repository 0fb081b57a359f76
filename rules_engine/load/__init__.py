"""Load and validate: YAML and JSON with positions, files, values, schemas, the policy folder, occupancy, inputs, the cache."""


def __getattr__(name: str):
    """`from rules_engine.load import gc_paused` as before the subpackages (load.py's names), read on first use:
    importing another module of this folder does not load it."""
    if name.startswith("__") or name == "load":  # the submodule itself is found by the import system
        raise AttributeError(name)
    import importlib

    policy_folder = importlib.import_module(f"{__name__}.load")
    try:
        return getattr(policy_folder, name)
    except AttributeError:
        raise AttributeError(f"module 'rules_engine.load' has no attribute {name!r}") from None
