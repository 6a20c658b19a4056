"""Adding a classified file to the results store (``stamning classify … --store``)."""

from __future__ import annotations

from pathlib import Path

from stamning.store.database import AddResult, ModelIdentity, ResultStore, StoreError


def add_classified_file(
    store_path: str | Path,
    classified: str | Path,
    model,
    *,
    source: str,
    round_label: str | None = None,
    text_column: str | None = None,
    id_column: str | None = None,
    round_column: str | None = None,
    group_column: str | None = None,
    index_column: str | None = None,
    sheet: str | None = None,
) -> AddResult:
    """Read a file written by ``classify`` and append its rows to the store (created when missing).

    ``round_label`` labels every row with one round (for files without a round column); ``model`` is the
    model (or own-themes model) that classified the file: its identity is stored with the rows."""
    from stamning.io.tables import read_comments
    from stamning.summary.prepare import is_predictions, summary_frame

    table = read_comments(
        classified,
        text_column=text_column,
        id_column=id_column,
        round_column=round_column,
        group_column=group_column,
        index_column=index_column,
        sheet=sheet,
    )
    if not is_predictions(table.frame):
        raise StoreError(
            f"{Path(classified).name}: filen saknar klassningens kolumner; klassa den med stamning classify först"
        )
    frame = summary_frame(table)
    if Path(classified).suffix.lower() in (".csv", ".xlsx"):
        frame["text"] = [_unneutralise(v) for v in frame["text"]]
    if round_label is not None:
        if table.columns.round is not None:
            raise StoreError(
                f"filen har redan en omgångskolumn ({table.columns.round}); ta bort --round eller välj "
                "kolumn med --round-column"
            )
        frame["round"] = str(round_label)
    elif table.columns.round is None:
        raise StoreError(
            f"{Path(classified).name}: ingen omgångskolumn hittades (Omgång, År …); lagret behöver en omgång "
            "per rad: ange --round 2026 eller --round-column"
        )
    with ResultStore(store_path, create=True) as store:
        return store.add(frame, ModelIdentity.of(model), source)


def _unneutralise(value: object) -> object:
    """The text before the output's formula guard: ``'=SUMMA`` in a CSV/XLSX output was ``=SUMMA``."""
    from stamning.io.tables import neutralise_formula

    if isinstance(value, str) and value.startswith("'") and neutralise_formula(value[1:]) == value:
        return value[1:]
    return value


def check_store_options(store: str | Path | None, round_label: str | None) -> None:
    """Before any work: --round only with --store, and a store path the store accepts."""
    from stamning.store.database import STORE_EXTENSIONS

    if round_label is not None and store is None:
        raise StoreError("--round gäller resultatlagret; ange också --store resultat.sqlite")
    if store is not None and Path(store).suffix.lower() not in STORE_EXTENSIONS:
        raise StoreError(
            f"{Path(store).name}: resultatlagret är en SQLite-fil; ge det ändelsen .sqlite (t.ex. resultat.sqlite)"
        )
    if store is not None and Path(store).is_file():
        ResultStore(store).close()  # schema version checked before the model runs
