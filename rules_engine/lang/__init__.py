"""The condition language: syntax tree, parser, operators, facts, and the compile stage (with the generated code)."""
