"""Reports as files partners open as they are: JSON for scripts, a text table for the
terminal, CSV for French Excel, XLSX with typed cells (docs/exports.md).

A report is a list of `Sheet`s (`table`); each writer takes sheets and nothing
else, so every report of the pilot's desk has every format, written once.
Nothing here reads the database or imports Textual.
"""
