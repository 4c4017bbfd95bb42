"""Writes docs/cli.md from the CLI's own help (English), so the two never drift.

    .venv/bin/python scripts/cli_docs.py          # rewrite docs/cli.md
    .venv/bin/python scripts/cli_docs.py --check  # exit 1 if it is stale (the tests do this)
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from vigikfield import i18n

DOC = Path(__file__).resolve().parents[1] / "docs" / "cli.md"

HEADER = """# Command line (`vigikfield`)

Generated from the commands' own help by `scripts/cli_docs.py` (English; run
any command with `--lang fr`, the default, for French). Global options go
before the command: `vigikfield --db PATH --lang en COMMAND ...`.

Exit codes everywhere: **0** success; **1** a check failed or a device
problem (message on stderr); **2** bad input — the message names the file,
line and field, and nothing was written.
"""


def render() -> str:
    i18n.set_language("en")
    from vigikfield.cli import build_cli

    root = build_cli()
    parts = [HEADER]

    def walk(command: click.Command, path: list[str]) -> None:
        ctx = click.Context(command, info_name=" ".join(path), terminal_width=80,
                            max_content_width=80)
        if path != ["vigikfield"]:
            parts.append(f"\n## `{' '.join(path)}`\n\n```text\n{command.get_help(ctx)}\n```\n")
        else:
            parts.append(f"\n## `vigikfield`\n\n```text\n{command.get_help(ctx)}\n```\n")
        if isinstance(command, click.Group):
            for name in sorted(command.commands):
                walk(command.commands[name], path + [name])

    walk(root, ["vigikfield"])
    i18n.set_language("fr")
    return "".join(parts)


def main() -> int:
    text = render()
    if "--check" in sys.argv:
        if not DOC.exists() or DOC.read_text(encoding="utf-8") != text:
            print("docs/cli.md is stale: run scripts/cli_docs.py", file=sys.stderr)
            return 1
        return 0
    DOC.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
