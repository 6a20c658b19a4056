"""Summaries and comparisons from the results store, without loading a model.

Each round is read with one model: the one given (``model``, an id or an id prefix) or the one that
classified it last. Rounds also classified with another model, and rounds classified with different
models from each other, are named in notes, so models are never mixed silently."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from stamning.store.database import ResultStore, StoredRound, StoreError
from stamning.themes.taxonomy import Taxonomy, load_taxonomy, parse_taxonomy


@dataclass
class Selection:
    """The rows chosen from the store: a summary frame, one model per round, and what to tell the reader."""

    frame: pd.DataFrame
    models: dict[str, str]  # round -> model id
    taxonomy: Taxonomy
    notes: list[str] = field(default_factory=list)

    def differs(self, a: str, b: str) -> bool:
        return self.models.get(a) != self.models.get(b)


def _choose(entries: list[StoredRound], round_: str, model: str | None) -> StoredRound | None:
    if model is None:
        return entries[-1]  # listing() puts the latest added last
    chosen = [e for e in entries if e.model_id.startswith(model)]
    return chosen[0] if len(chosen) == 1 else None


def _taxonomy(store: ResultStore, model_ids: Sequence[str]) -> Taxonomy:
    """The taxonomy of the latest model; themes only older models know are added after it."""
    themes: dict[str, dict] = {}
    sources = []
    for mid in reversed(list(dict.fromkeys(model_ids))):
        data = store.taxonomy(mid)
        sources.append(str(data.get("source", "")))
        for theme in data.get("theme", []):
            themes.setdefault(theme["key"], theme)
    if not themes:  # models without themes: names come from the default taxonomy
        return load_taxonomy()
    return parse_taxonomy({"theme": list(themes.values())}, sources[0] if sources else "default")


def _zero_shot_notes(store: ResultStore, chosen: dict[str, str]) -> list[str]:
    """Own themes stored without examples (``zero_shot`` in the model's taxonomy), once per model."""
    notes = []
    for mid in dict.fromkeys(chosen.values()):
        data = store.taxonomy(mid)
        names = {t["key"]: t.get("name", t["key"]) for t in data.get("theme", [])}
        if data.get("zero_shot"):
            rounds = ", ".join(r for r, m in chosen.items() if m == mid)
            notes.append(
                f"Teman från {data.get('source')} (omgång {rounds}) utan märkta exempel (zero-shot, bara "
                f"temabeskrivningen): {', '.join(names.get(k, k) for k in data['zero_shot'])}."
            )
    return notes


def select(path: str | Path, rounds: Sequence[str] | None = None, model: str | None = None) -> Selection:
    """Read rounds (all, or those asked for, in that order) from the store, one model per round."""
    with ResultStore(path, readonly=True) as store:
        listing = store.listing()
        available = list(dict.fromkeys(e.round for e in listing))
        if not available:
            raise StoreError(f"{Path(path).name}: lagret är tomt; lägg till en omgång med stamning classify … --store")
        missing = [r for r in rounds or () if r not in available]
        if missing:
            raise StoreError(
                f"omgång {', '.join(missing)} finns inte i {Path(path).name}; omgångar som finns: {', '.join(available)}"
            )
        order = [str(r) for r in rounds] if rounds else available
        chosen: dict[str, str] = {}
        notes: list[str] = []
        for r in order:
            entries = [e for e in listing if e.round == r]
            pick = _choose(entries, r, model)
            if pick is None:
                if rounds:
                    raise StoreError(
                        f"omgång {r} är inte klassad med modell {model}; modeller för omgången: "
                        f"{', '.join(e.model_id for e in entries)} (se stamning store list)"
                    )
                notes.append(f"Omgång {r} är inte klassad med modell {model} och är inte med.")
                continue
            chosen[r] = pick.model_id
            others = [e.model_id for e in entries if e.model_id != pick.model_id]
            if others:
                notes.append(
                    f"Omgång {r} finns också klassad med modell {', '.join(others)}; här används modell "
                    f"{pick.model_id} (välj med --store-model)."
                )
        if not chosen:
            raise StoreError(f"ingen omgång i {Path(path).name} är klassad med modell {model}; se stamning store list")
        if len(set(chosen.values())) > 1:
            used = "; ".join(f"{r}: {m}" for r, m in chosen.items())
            notes.append(
                f"Omgångarna är klassade med olika modeller ({used}); skillnader mellan dem kan bero på modellbytet."
            )
        frames = [store.frame(r, m) for r, m in chosen.items()]
        taxonomy = _taxonomy(store, list(chosen.values()))
        notes += _zero_shot_notes(store, chosen)
    frame = pd.concat(frames, ignore_index=True)
    frame["round"] = pd.Categorical(frame["round"], categories=list(chosen), ordered=True)
    for optional in ("group", "index"):
        if frame[optional].isna().all():
            frame = frame.drop(columns=optional)
    return Selection(frame, chosen, taxonomy, notes)


def summarize_store(path: str | Path, options, rounds: Sequence[str] | None = None, model: str | None = None):
    """A :class:`~stamning.summary.types.Summary` of stored rounds (``options``: a SurveyOptions)."""
    from stamning.privacy.redactor import Redactor
    from stamning.summary.rounds import summarize

    if options.themes is not None or options.wide or options.questions:
        raise StoreError(
            "--themes, --wide och --question gäller när kommentarerna klassas; lagret har redan "
            "klassade rader (lägg dem till med stamning classify … --store med de flaggorna)"
        )
    sel = select(path, rounds, model)
    if "group" in options.by and "group" not in sel.frame.columns:
        raise StoreError(f"{Path(path).name}: raderna i lagret har ingen grupp; ta bort group ur --by")
    summary = summarize(
        sel.frame,
        by=options.by,
        taxonomy=sel.taxonomy,
        min_group=options.min_group,
        min_quote_group=options.min_quote_group,
        redactor=Redactor(names=options.names) if options.redact else None,
        include_comparison="round" in options.by and len(sel.models) > 1,
    )
    _mark_model_changes(summary.comparisons, sel)
    summary.settings["store"] = {"path": Path(path).name, "models": sel.models}
    summary.notes.extend(sel.notes)
    return summary


def compare_store(path: str | Path, rounds: Sequence[str] | None = None, min_group: int = 5, model: str | None = None):
    """Changes between stored rounds; a pair classified with different models says so."""
    from stamning.summary.rounds import compare

    sel = select(path, rounds, model)
    result = compare(sel.frame, list(sel.models), taxonomy=sel.taxonomy, min_group=min_group)
    _mark_model_changes(result.changes, sel)
    result.settings["store"] = {"path": Path(path).name, "models": sel.models}
    return result


def _mark_model_changes(changes, sel: Selection) -> None:
    for change in changes:
        if sel.differs(change.before, change.after):
            change.sentences.append(
                f"Obs: omgång {change.before} och {change.after} är klassade med olika modeller "
                f"({sel.models[change.before]} och {sel.models[change.after]}); förändringen kan "
                "bero på modellbytet."
            )
