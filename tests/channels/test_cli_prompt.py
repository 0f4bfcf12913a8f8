"""``c360 chat``'s approval prompt shows its [y]es / [n]o / [e]dit letters (not eaten as Rich markup)."""
from rich.console import Console

from channels.cli.chat import APPROVAL_PROMPT


def test_approval_prompt_keeps_its_bracketed_letters():
    console = Console(record=True, width=80, color_system=None)
    console.print(APPROVAL_PROMPT, end="")
    assert console.export_text() == "approve? [y]es / [n]o / [e]dit > "
