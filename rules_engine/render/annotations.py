"""GitHub Actions workflow commands (`::error file=..,line=..::message`), escaped as @actions/core escapes them."""

from __future__ import annotations

from .escape import terminal_text

# @actions/core escapeData and escapeProperty (src/command.ts): '%' first, so that no escape is escaped twice.
_DATA = (("%", "%25"), ("\r", "%0D"), ("\n", "%0A"))
_PROPERTY = _DATA + ((":", "%3A"), (",", "%2C"))


def _escape(text: str, table) -> str:
    text = terminal_text(text, keep="\r\n")
    for raw, escaped in table:
        text = text.replace(raw, escaped)
    return text


def escape_data(text) -> str:
    """A command's message: '%', CR and LF escaped (other control characters made harmless)."""
    return _escape(str(text), _DATA)


def escape_property(text) -> str:
    """A property value (file, title): as escape_data, and ':' and ',' too."""
    return _escape(str(text), _PROPERTY)


def workflow_command(command: str, properties: dict, message) -> str:
    """One line '::command key=value,key=value::message'; properties whose value is None are left out."""
    props = ",".join(f"{k}={escape_property(v)}" for k, v in properties.items() if v is not None)
    return f"::{command}{' ' + props if props else ''}::{escape_data(message)}"
