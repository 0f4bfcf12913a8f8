"""Every prompt the agent sends is a file in this folder, loaded by name, with named ``$slots``.

``render("insight_explanation", facts=..., subject=...)`` fills the slots of
``prompts/insight_explanation.md``; a missing or unknown slot is an error, so a prompt and the code
that fills it cannot drift apart silently.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from string import Template

PROMPT_DIR = Path(__file__).parent


class PromptError(KeyError):
    """A prompt that does not exist, or slots that do not match the prompt's."""


@lru_cache
def load_prompt(name: str) -> Template:
    """The prompt file ``name`` (``.md`` or ``.txt``) as a template."""
    for suffix in (".md", ".txt"):
        path = PROMPT_DIR / f"{name}{suffix}"
        if path.is_file():
            return Template(path.read_text(encoding="utf-8"))
    known = ", ".join(sorted(p.stem for p in PROMPT_DIR.glob("*.md")))
    raise PromptError(f"no prompt named {name!r}; the prompts are: {known}")


def slots(name: str) -> set[str]:
    """The slot names the prompt ``name`` expects."""
    return set(load_prompt(name).get_identifiers())


def render(name: str, **values: object) -> str:
    """The prompt ``name`` with every slot filled; raises PromptError when slots are missing or extra."""
    template = load_prompt(name)
    expected = set(template.get_identifiers())
    missing, extra = expected - set(values), set(values) - expected
    if missing or extra:
        raise PromptError(f"prompt {name!r}: missing slots {sorted(missing)}, unknown slots {sorted(extra)}")
    return template.substitute({key: str(value) for key, value in values.items()})
