"""The magicmix command line: a thin layer over the Python API (every command calls plain functions).

main.py lists the commands (COMMANDS, REPORT_COMMANDS, LOG_COMMANDS: one line each); each lives in its own module
here; options.py holds the shared options, exits.py the exit-code table and the one error handler,
help_texts.py every help text in Dutch and English, and rules_engine/render/renderers.py the output formats.
"""

from .main import cli, main

__all__ = ["cli", "main"]
