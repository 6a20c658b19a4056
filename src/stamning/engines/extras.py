"""What ``classify`` does around the classification when asked: own themes (``--themes``,
``--theme-examples``), a wide export (``--wide``, ``--question``) and the results store (``--store``,
``--round``). The CLI stays a thin layer: :meth:`ClassifyExtras.prepare` before, :meth:`Run.finish` after."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stamning.errors import InputError


@dataclass(frozen=True)
class ClassifyExtras:
    store: Path | None = None
    round_label: str | None = None
    themes: Path | None = None
    theme_examples: Path | None = None
    wide: bool = False
    questions: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        from stamning.store.add import check_store_options

        check_store_options(self.store, self.round_label)
        if self.theme_examples is not None and self.themes is None:
            raise InputError("--theme-examples gäller egna teman; ange också --themes mina_teman.toml")

    @property
    def needed(self) -> bool:
        return bool(self.store or self.round_label or self.themes or self.theme_examples or self.wide or self.questions)

    def prepare(
        self,
        input: Path,
        output: Path,
        model,
        device: str,
        text_column: str | None,
        id_column: str | None,
        round_column: str | None,
        group_column: str | None,
        sheet: str | None,
    ) -> Run:
        """Load the model (with own themes) and, for a wide export, write its long form next to ``output``."""
        from stamning.themes.own import load_model_with_themes

        run = Run(self, Path(input).name, Path(input), model, text_column, id_column, round_column, group_column, sheet)
        if self.store or self.themes:
            run.model = load_model_with_themes(model, device, self.themes, self.theme_examples)
        if self.wide or self.questions:
            from stamning.io.wide import QUESTION, write_long

            run.input = run.long_input = write_long(
                input,
                output,
                questions=self.questions,
                text_column=text_column,
                id_column=id_column,
                round_column=round_column,
                group_column=group_column,
                sheet=sheet,
            )
            run.text_column, run.id_column, run.sheet, run.group_column = "text", "id", None, group_column or QUESTION
        return run


@dataclass
class Run:
    """The arguments classify runs with (after :meth:`ClassifyExtras.prepare`), and what follows it."""

    extras: ClassifyExtras
    source: str
    input: Path
    model: Any  # a StamningModel, or one with the user's themes (``note()``)
    text_column: str | None
    id_column: str | None
    round_column: str | None
    group_column: str | None
    sheet: str | None
    long_input: Path | None = None
    messages: list[str] = field(default_factory=list)

    def cleanup(self) -> None:
        if self.long_input is not None:
            self.long_input.unlink(missing_ok=True)

    def finish(self, output: Path) -> list[str]:
        """Add the classified ``output`` to the store; one Swedish line per thing to tell the user."""
        if self.extras.themes is not None:
            self.messages.append(self.model.note())
        if self.extras.store is not None:
            from stamning.store.add import add_classified_file

            added = add_classified_file(
                self.extras.store,
                output,
                self.model,
                source=self.source,
                round_label=self.extras.round_label,
                text_column=self.text_column,
                id_column=self.id_column,
                round_column=self.round_column,
                group_column=self.group_column,
            )
            self.messages.append(
                f"Lagret {self.extras.store.name}: {added.added} rader tillagda, {added.already} fanns "
                f"redan (omgång {', '.join(added.rounds)}, modell {added.model_id})."
            )
        return self.messages
