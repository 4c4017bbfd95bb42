"""Click's own strings ("Usage:", "Show this message and exit.", "Error: No such
option…") through the translation layer.

Click marks its strings for gettext (``from gettext import gettext as _`` in each
module) and looks them up when it shows them. `install` rebinds those names in
click's modules to a lookup in our catalogs (``vigikfield/locale/*/click.toml``):
a string listed in `MESSAGES` is shown in the language in force, any other one
as click wrote it. Placeholders keep click's spelling, click fills them in.
Tested with click 8.1 to 8.5; a new click string shows in English until listed.
"""

from __future__ import annotations

import click

from ..i18n import t

# click's msgid -> our catalog key (singular and plural forms of ngettext: two keys)
MESSAGES = {
    "Usage:": "click.usage",
    "Options": "click.options",
    "Commands": "click.commands",
    "Positional arguments": "click.arguments",
    "Show this message and exit.": "click.help_option",
    "Show the version and exit.": "click.version_option",
    "%(prog)s, version %(version)s": "click.version",
    "Error: {message}": "click.error",
    "Try '{command} {option}' for help.": "click.try_help",
    "No such option {name!r}.": "click.no_such_option",
    "No such command {name!r}.": "click.no_such_command",
    "Did you mean {possibility}?": "click.did_you_mean",
    "(Did you mean one of: {possibilities}?)": "click.did_you_mean_one_of",
    "Missing command.": "click.missing_command",
    "Missing argument": "click.missing_argument",
    "Missing option": "click.missing_option",
    "Missing parameter": "click.missing_parameter",
    "Missing parameter: {param_name}": "click.missing_parameter_named",
    "Invalid value: {message}": "click.invalid_value",
    "Invalid value for {param_hint}: {message}": "click.invalid_value_for",
    "Got unexpected extra argument ({args})": "click.extra_argument",
    "Got unexpected extra arguments ({args})": "click.extra_arguments",
    "Option {name!r} does not take a value.": "click.takes_no_value",
    "Option {name!r} requires an argument.": "click.requires_argument",
    "Option {name!r} requires {nargs} arguments.": "click.requires_arguments",
    "{value!r} is not {choice}.": "click.not_choice",
    "{value!r} is not one of {choices}.": "click.not_one_of",
    "{value} is not in the range {range}.": "click.not_in_range",
    "{value!r} is not a valid {number_type}.": "click.not_a_number",
    "{name} {filename!r} does not exist.": "click.does_not_exist",
    "{name} {filename!r} is a file.": "click.is_a_file",
    "{name} {filename!r} is a directory.": "click.is_a_directory",
    "{name} {filename!r} is not readable.": "click.not_readable",
    "{name} {filename!r} is not writable.": "click.not_writable",
    "file": "click.file",
    "directory": "click.directory",
    "path": "click.path",
    "default: {default}": "click.default",
    "env var: {var}": "click.env_var",
    "required": "click.required",
    "Aborted!": "click.aborted",
    "Do you want to continue?": "click.continue",
    "Confirm the action without prompting.": "click.yes_option",
}
_MODULES = ("core", "decorators", "exceptions", "formatting", "parser", "types", "termui")


def gettext(message: str) -> str:
    key = MESSAGES.get(message)
    return t(key) if key else message


def ngettext(singular: str, plural: str, n: int) -> str:
    return gettext(singular if n == 1 else plural)


class HelpFormatter(click.HelpFormatter):
    """Section headings as the language writes them ("Options :" in French)."""

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{t('click.heading', heading=heading)}\n")


def install() -> None:
    """Route click's gettext calls through `t`, and its help headings through
    `HelpFormatter` (idempotent)."""
    import importlib

    click.Context.formatter_class = HelpFormatter
    for name in _MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = gettext
        if hasattr(module, "ngettext"):
            module.ngettext = ngettext
    click.core._ = gettext  # the core module is the one most strings come from
