"""Run the magicmix CLI from a checkout: python cli.py validate policies/ (installed: magicmix)."""

from rules_engine.cli import main

if __name__ == "__main__":
    main()
