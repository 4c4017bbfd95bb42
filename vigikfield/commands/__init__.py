"""Command groups of the CLI, one module per area.

Each module defines ``register(cli: click.Group)``; `vigikfield.cli` calls the
ones listed in `MODULES` that are present. Command modules parse arguments,
call domain services and print; they hold no SQL of their own.
"""

MODULES = (
    "core",       # demo, search, journal
    "profile",    # profile: who uses this database
    "encoding",   # encode: the wizard's scriptable twin
    "importing",  # import
    "hardware",   # card, centrale, simulate, hw
    "labels",     # labels
    "sync",       # device, trust, bundle, conflicts
)
