"""The consoles every command prints through: whatever is printed appears as it is written.

File names, error messages and record values come from users' files, and rich would read
`units.csv:100:` as the emoji :100: and `[red]` as markup. These consoles read neither, so no
print can forget to escape; a command styles its own words with `styled`, or with Text.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text


def console(stderr: bool = False) -> Console:
    """A console that prints text verbatim: no markup, no emoji codes."""
    return Console(stderr=stderr, markup=False, emoji=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """PARTS as one Text: a string verbatim, a (text, style) pair in that style."""
    return Text.assemble(*parts)


out = console()
err = console(stderr=True)
