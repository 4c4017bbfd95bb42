"""Bindings whose descriptions are message ids, translated when the node is built.

Textual merges ``BINDINGS`` once, when the class is created; vigikfield picks
the language at run time (``--lang``). So BINDINGS hold message ids
(``"route.key_search"``) and each node translates its own copy on creation.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Generic, TypeVar

from textual.app import App
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen

from ..i18n import t


def translate_bindings(node: DOMNode) -> None:
    table = node._bindings.key_to_bindings
    for key, bindings in table.items():
        table[key] = [
            replace(b, description=t(b.description), tooltip=t(b.tooltip) if b.tooltip else "")
            if b.description else b
            for b in bindings
        ]


class TranslatedScreen(Screen):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)


ResultType = TypeVar("ResultType")


class TranslatedModal(ModalScreen[ResultType], Generic[ResultType]):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)


class TranslatedApp(App):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        translate_bindings(self)
