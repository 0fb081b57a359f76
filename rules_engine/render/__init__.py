"""Rendering: every report and output format, the renderer registry, escaping, words and the message catalogue."""
