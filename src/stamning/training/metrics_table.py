"""A readable table of evaluation metrics (rich)."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


def print_metrics(metrics: dict, console: Console) -> None:
    s = metrics["sentiment"]
    table = Table(title=f"Sentiment ({s['n']} kommentarer)")
    for col in (
        "träffsäkerhet",
        "macro-F1",
        "MCC",
        "MAE (nivåer)",
        "ECE",
        "±1 nivå",
        "3 klasser: träff",
        "3 klasser: macro-F1",
    ):
        table.add_column(col, justify="right")
    t3 = s["three_class"]
    table.add_row(
        f"{s['accuracy']:.1%}",
        f"{s['macro_f1']:.1%}",
        f"{s['mcc']:.3f}",
        f"{s['mae']:.3f}",
        f"{s['ece']:.3f}",
        f"{s['within_one']:.1%}",
        f"{t3['accuracy']:.1%}",
        f"{t3['macro_f1']:.1%}",
    )
    console.print(table)
    cm = Table(title="Förväxlingsmatris (rad = facit, kolumn = modell)")
    cm.add_column("")
    for label in s["labels"]:
        cm.add_column(label, justify="right")
    for label, row in zip(s["labels"], s["confusion_matrix"]):
        cm.add_row(label, *[str(v) for v in row])
    console.print(cm)
    if "themes" in metrics:
        th = metrics["themes"]
        tt = Table(title=f"Teman: micro-F1 {th['micro_f1']:.1%}, macro-F1 {th['macro_f1']:.1%}")
        for col in ("tema", "F1", "antal i facit", "antal föreslagna"):
            tt.add_column(col, justify="right" if col != "tema" else "left")
        for key, v in th["per_theme"].items():
            tt.add_row(key, f"{v['f1']:.1%}", str(v["support"]), str(v["predicted"]))
        console.print(tt)
    if metrics.get("left_out"):
        ids = ", ".join(str(r["id"]) for r in metrics["left_out"][:10])
        console.print(
            f"{len(metrics['left_out'])} rader utan text att bedöma räknades inte: {ids}"
            + (" …" if len(metrics["left_out"]) > 10 else "")
        )
