"""File-level redaction: the same table out, with personal data in the text column replaced."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from stamning.io.tables import check_output_path, read_comments, write_table


@dataclass
class RedactResult:
    output: Path
    rows: int
    changed: int


def redact_file(
    input: str | Path,
    output: str | Path,
    *,
    text_column: str | None = None,
    sheet: str | None = None,
    names: tuple[str, ...] = (),
    in_place: bool = False,
) -> RedactResult:
    """Replace identity numbers, phone numbers, e-mail, URLs, addresses and names with typed placeholders.

    Writing over the input is refused unless ``in_place``."""
    from stamning.io.outputs import refuse_overwriting_input
    from stamning.privacy.redactor import Redactor

    out = check_output_path(output)
    refuse_overwriting_input(input, out, in_place)
    table = read_comments(input, text_column=text_column, sheet=sheet)
    redactor = Redactor(names=names)
    column = table.columns.text
    before = table.frame[column].tolist()
    after = [redactor(v) if isinstance(v, str) else v for v in before]
    frame = table.frame.copy()
    frame[column] = after
    if table.columns.id is None and "id" not in frame.columns:  # like classify: every row out with its id
        frame.insert(0, "id", table.ids())
    write_table(frame, out)
    changed = sum(
        1 for a, b in zip(before, after) if isinstance(a, str) and a != b
    )  # empty cells (NaN, None) never count
    return RedactResult(out, len(after), changed)
