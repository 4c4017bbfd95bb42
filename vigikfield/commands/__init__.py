"""Command groups of the CLI, one module per area.

Each module defines ``register(cli: click.Group)``; `vigikfield.cli` imports them
and calls them in its `COMMAND_MODULES` order. They share `base` (the context,
`fail`, the exit codes). Command modules parse arguments, call domain services
and print; they hold no SQL of their own.
"""
