"""The user's own themes (``--themes mina_teman.toml``): a model whose theme predictions come from
:class:`~stamning.themes.zeroshot.ThemeMatcher` over the user's taxonomy instead of the model's theme head.

Without examples every theme is zero-shot (matched by its description); ``--theme-examples`` (a file
with a text column and a ``themes`` column of ``;``-separated keys) moves the prototypes of the themes
it has examples for and calibrates their thresholds. ``zero_shot`` names the themes without examples."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from stamning.errors import InputError
from stamning.records import STATUS_OK, Prediction
from stamning.text import MAX_CHARS, normalize
from stamning.themes.check import check_file
from stamning.themes.taxonomy import Taxonomy, parse_themes


def read_theme_examples(path: str | Path, taxonomy: Taxonomy) -> tuple[list[str], list[list[str]]]:
    """Texts and their theme keys; a key not in the taxonomy is an error naming the row."""
    from stamning.io.tables import read_frame, resolve_columns

    p = Path(path)
    frame = read_frame(p)
    cols = resolve_columns(frame, p)
    if "themes" not in frame.columns:
        raise InputError(
            f"{p.name}: exempelfilen saknar kolumnen themes (temanycklar åtskilda med ;); kolumner: "
            f"{', '.join(frame.columns)}"
        )
    texts, themes = [], []
    for n, (text, value) in enumerate(zip(frame[cols.text], frame["themes"]), 1):
        keys = parse_themes(value)
        unknown = sorted(set(keys) - set(taxonomy.keys))
        if unknown:
            raise InputError(
                f"{p.name}: rad {n}: temat {', '.join(unknown)} finns inte i temafilen; rätta nyckeln "
                f"eller lägg till temat (finns: {', '.join(taxonomy.keys)})"
            )
        if isinstance(text, str) and text.strip():
            texts.append(normalize(text))
            themes.append(keys)
    if not texts:
        raise InputError(f"{p.name}: inga exempel med text; fyll i kolumnen {cols.text}")
    return texts, themes


class OwnThemesModel:
    """A stamning model with its themes replaced by the user's taxonomy (zero- or few-shot).

    It predicts like the model (``predict``) and has a ``config`` whose identity covers the taxonomy
    and the examples, so stored results and resumed runs never mix it up with the plain model."""

    def __init__(self, model, taxonomy: Taxonomy, examples: tuple[list[str], list[list[str]]] | None = None):
        from stamning.themes.zeroshot import ThemeMatcher

        self.model = model
        self.taxonomy = taxonomy
        self.matcher = ThemeMatcher(model, taxonomy)
        if examples is not None:
            self.matcher.fit(*examples)
        with_examples = {k for ks in (examples[1] if examples else []) for k in ks}
        self.zero_shot = [k for k in taxonomy.keys if k not in with_examples]
        digest = hashlib.sha256(json.dumps([taxonomy.to_dict(), examples], ensure_ascii=False).encode()).hexdigest()
        thresholds = self.matcher.thresholds if self.matcher.thresholds is not None else [0.5] * len(taxonomy.keys)
        self.config = replace(
            model.config,
            theme_keys=list(taxonomy.keys),
            theme_thresholds=[float(t) for t in thresholds],
            taxonomy={**taxonomy.to_dict(), "source": Path(taxonomy.source).name, "zero_shot": self.zero_shot},
            weights_sha256={**model.config.weights_sha256, "own_themes": digest},
        )

    def predict(self, texts: Sequence[object], ids: Sequence[str] | None = None, **kwargs) -> list[Prediction]:
        preds = self.model.predict(texts, ids, **kwargs)
        ok = [i for i, p in enumerate(preds) if p.status == STATUS_OK]
        if not ok:
            return preds
        clean = [normalize(str(texts[i])[:MAX_CHARS]) for i in ok]
        proba = self.matcher.predict_proba(clean)
        chosen = self.matcher.predict(clean)
        keys = self.matcher.keys
        for row, i in enumerate(ok):
            preds[i] = replace(
                preds[i], themes=chosen[row], theme_probabilities={k: float(p) for k, p in zip(keys, proba[row])}
            )
        return preds

    def note(self) -> str:
        """One Swedish sentence naming the zero-shot themes, for reports."""
        names = [self.taxonomy.name(k) for k in self.zero_shot]
        source = Path(self.taxonomy.source).name
        if not names:
            return f"Teman från {source}; alla har märkta exempel."
        return (
            f"Teman från {source}; utan märkta exempel (zero-shot, bara temabeskrivningen): {', '.join(names)}. "
            "Lägg till exempel med --theme-examples för säkrare teman."
        )


def load_model_with_themes(
    model=None, device: str = "cpu", themes: str | Path | None = None, theme_examples: str | Path | None = None
):
    """The model (name, directory or object), wrapped with the user's themes when ``themes`` is given."""
    from stamning.model.loading import load_model

    if theme_examples is not None and themes is None:
        raise InputError("--theme-examples gäller egna teman; ange också --themes mina_teman.toml")
    taxonomy = check_file(themes) if themes is not None else None  # before the model: fail fast
    examples = (
        read_theme_examples(theme_examples, taxonomy) if theme_examples is not None and taxonomy is not None else None
    )
    if model is None or isinstance(model, (str, Path)):
        model = load_model(model, device=device)
    return model if taxonomy is None else OwnThemesModel(model, taxonomy, examples)
