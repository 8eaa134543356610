"""A scripted console for `cli.main(console=...)`: what a script feeds on stdin, or a person at
a terminal answering each prompt in turn."""

from __future__ import annotations

import io
from collections.abc import Callable


class ScriptedConsole:
    """`stdin` is the text a script pipes in; `answers` are typed at the prompts, in order (the
    console is then a terminal). `on_prompt` runs before each answer (to act meanwhile)."""

    def __init__(
        self,
        *answers: str,
        stdin: str = "",
        interactive: bool | None = None,
        on_prompt: Callable[[str], None] | None = None,
    ) -> None:
        self._stdin = io.StringIO(stdin)
        self.answers = list(answers)
        self.prompts: list[str] = []
        self._interactive = bool(answers) if interactive is None else interactive
        self.on_prompt = on_prompt

    @property
    def stdin(self) -> io.StringIO:
        return self._stdin

    def interactive(self) -> bool:
        return self._interactive

    def secret(self, prompt: str) -> str:
        return self._answer(prompt)

    def ask(self, prompt: str) -> str:
        return self._answer(prompt)

    def _answer(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if self.on_prompt is not None:
            self.on_prompt(prompt)
        if not self.answers:
            raise AssertionError(f"unexpected prompt {prompt!r}")
        return self.answers.pop(0)
