"""`vigikfield serve`: the TUI in a browser tab, behind an access token (docs/serve.md).

Imported by the `serve` command only: the domain, sync/ and hardware never need it.
"""
