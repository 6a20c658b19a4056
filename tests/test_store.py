"""The results store: idempotent adds, models kept apart, schema version, list/remove (no model needed)."""

from __future__ import annotations

import sqlite3

import pandas as pd
import pytest

from stamning.engines.survey import SurveyOptions
from stamning.store.database import ModelIdentity, ResultStore, StoreError
from stamning.store.select import compare_store, select, summarize_store

TEXTS = [
    "Chefen är lyhörd och vänlig.",
    "Dåligt bemötande på mötet.",
    "Informationen når inte fram.",
    "Bra samarbete mellan förvaltningarna.",
    "Stressig arbetsbelastning i år.",
    "Trevligt och öppet klimat.",
]
LEVELS = ["positiv", "negativ", "negativ", "mycket_positiv", "mycket_negativ", "positiv"]
SCORES = {"mycket_negativ": -2, "negativ": -1, "neutral": 0, "positiv": 1, "mycket_positiv": 2}


def classified(round_: str, shift: int = 0, group: str = "Förvaltning Ö") -> pd.DataFrame:
    rows = []
    for i, (text, level) in enumerate(zip(TEXTS, LEVELS)):
        level = LEVELS[(i + shift) % len(LEVELS)]
        probs = {f"p_{lvl}": 0.9 if lvl == level else 0.025 for lvl in SCORES}
        rows.append(
            {
                "id": f"r{i}",
                "text": text,
                "round": round_,
                "group": group,
                "sentiment": level,
                "sentiment_score": SCORES[level],
                "sentiment_confidence": 0.9,
                **probs,
                "themes": "bemotande;samarbete" if i % 2 else "ledarskap",
                "mixed": False,
                "status": "ok",
                "reason": "",
            }
        )
    rows.append(
        {
            "id": "r9",
            "text": "",
            "round": round_,
            "group": group,
            "status": "skipped",
            "reason": "tom text",
            "themes": "",
        }
    )
    return pd.DataFrame(rows)


MODEL_A = ModelIdentity(
    "a" * 16,
    {"base": "bas-å"},
    {
        "source": "default",
        "theme": [
            {"key": "bemotande", "name": "Bemötande", "definition": "Hur man blir mött."},
            {"key": "samarbete", "name": "Samarbete", "definition": "Att arbeta ihop."},
            {"key": "ledarskap", "name": "Ledarskap", "definition": "Hur chefen leder."},
        ],
    },
)
MODEL_B = ModelIdentity("b" * 16, {"base": "bas-ö"}, MODEL_A.taxonomy)


@pytest.fixture
def store_path(tmp_path):
    path = tmp_path / "resultat.sqlite"
    with ResultStore(path, create=True) as store:
        store.add(classified("2024"), MODEL_A, "enkät_2024.csv")
        store.add(classified("2025", shift=2), MODEL_A, "enkät_2025.csv")
    return path


def test_adding_the_same_rows_again_adds_nothing(store_path):
    with ResultStore(store_path) as store:
        again = store.add(classified("2025", shift=2), MODEL_A, "enkät_2025.csv")
        assert (again.added, again.already, again.rounds) == (0, 7, ("2025",))
        listing = store.listing()
    assert [(e.round, e.rows, e.classified) for e in listing] == [("2024", 7, 6), ("2025", 7, 6)]
    assert listing[0].sources == ("enkät_2024.csv",)


def test_a_changed_comment_is_a_new_row_and_repeated_rows_are_kept(tmp_path):
    frame = classified("2026")
    twice = pd.concat([frame, frame.iloc[[0]]], ignore_index=True)  # same id and text twice in one file
    with ResultStore(tmp_path / "r.sqlite", create=True) as store:
        assert store.add(twice, MODEL_A, "a.csv").added == 8
        assert store.add(twice, MODEL_A, "a.csv").added == 0
        frame.loc[1, "text"] = "Bättre bemötande nu."
        assert store.add(frame, MODEL_A, "b.csv").added == 1


def test_rows_come_back_as_they_went_in(store_path):
    sel = select(store_path, ["2024"])
    row = sel.frame.iloc[0]
    assert (row["id"], row["text"], row["group"], row["sentiment"], row["themes"]) == (
        "r0",
        "Chefen är lyhörd och vänlig.",
        "Förvaltning Ö",
        "positiv",
        "ledarskap",
    )
    assert sel.frame["status"].tolist().count("skipped") == 1 and sel.notes == []
    assert "index" not in sel.frame.columns  # no index values were stored


def test_another_model_is_kept_apart_and_the_summary_says_so(store_path):
    with ResultStore(store_path) as store:
        assert store.add(classified("2025", shift=4), MODEL_B, "enkät_2025.csv").added == 7
    sel = select(store_path)
    assert sel.models == {"2024": MODEL_A.model_id, "2025": MODEL_B.model_id}  # the latest per round
    assert len(sel.frame) == 14  # never both models' rows of 2025
    assert any("2025 finns också klassad med modell " + MODEL_A.model_id in n for n in sel.notes)
    assert any("olika modeller" in n for n in sel.notes)
    summary = summarize_store(store_path, SurveyOptions(by=("round",)))
    assert summary.notes == sel.notes and summary.settings["store"]["models"] == sel.models
    assert any("modellbytet" in s for s in summary.comparisons[0].sentences)
    pinned = select(store_path, model="aaaa")
    assert pinned.models == {"2024": MODEL_A.model_id, "2025": MODEL_A.model_id}
    assert not any("olika modeller" in n for n in pinned.notes)


def test_summary_and_comparison_from_the_store(store_path):
    summary = summarize_store(store_path, SurveyOptions(by=("round", "group"), min_group=2, min_quote_group=2))
    assert [r.round for r in summary.rounds] == ["2024", "2025"]
    assert summary.rounds[0].groups[0].group == "Förvaltning Ö"
    assert {t.name for t in summary.rounds[0].themes} >= {"Bemötande", "Ledarskap"}
    result = compare_store(store_path, ["2025", "2024"], min_group=2)
    assert [(c.before, c.after) for c in result.changes] == [("2025", "2024")]
    assert not any("modellbytet" in s for s in result.changes[0].sentences)


def test_unknown_round_and_empty_store_are_clear_errors(store_path, tmp_path):
    with pytest.raises(StoreError, match="omgång 2030 finns inte.*2024, 2025"):
        select(store_path, ["2030"])
    with ResultStore(tmp_path / "tomt.sqlite", create=True):
        pass
    with pytest.raises(StoreError, match="lagret är tomt"):
        select(tmp_path / "tomt.sqlite")
    with pytest.raises(StoreError, match="finns inte; skapa det"):
        ResultStore(tmp_path / "saknas.sqlite")


def test_schema_version_mismatch_fails_loudly(store_path, tmp_path):
    with sqlite3.connect(store_path) as db:
        db.execute("UPDATE schema_version SET version = 99")
    with pytest.raises(StoreError, match="schemaversion är 99.*version 1"):
        ResultStore(store_path)
    other = tmp_path / "annan.sqlite"
    with sqlite3.connect(other) as db:
        db.execute("CREATE TABLE x (y)")
    with pytest.raises(StoreError, match="inte ett resultatlager"):
        ResultStore(other)
    junk = tmp_path / "skräp.db"
    junk.write_bytes(b"not sqlite at all, just bytes " * 40)
    with pytest.raises(StoreError, match="inte ett resultatlager"):
        ResultStore(junk)


def test_remove_one_model_of_a_round(store_path):
    with ResultStore(store_path) as store:
        store.add(classified("2025", shift=4), MODEL_B, "om.csv")
        with pytest.raises(StoreError, match="modell c finns inte"):
            store.remove("2025", "c")
        assert store.remove("2025", "bbb") == 7
        assert [(e.round, e.model_id) for e in store.listing()] == [
            ("2024", MODEL_A.model_id),
            ("2025", MODEL_A.model_id),
        ]
        assert store.remove("2024") == 7
        assert store.rounds() == ["2025"]


def test_rows_without_a_round_are_refused(tmp_path):
    frame = classified("2024")
    frame.loc[3, "round"] = None
    with ResultStore(tmp_path / "r.sqlite", create=True) as store:
        with pytest.raises(StoreError, match="rad 4 \\(id r3\\) saknar omgång"):
            store.add(frame, MODEL_A, "a.csv")
        assert store.rounds() == []  # nothing half-added


def test_summaries_read_the_store_without_writing(store_path):
    before = store_path.read_bytes()
    assert list(select(store_path).models) == ["2024", "2025"]
    with ResultStore(store_path, readonly=True) as store, pytest.raises(sqlite3.OperationalError, match="readonly"):
        store.remove("2024")
    assert store_path.read_bytes() == before


def test_a_classified_csv_is_stored_with_the_texts_as_written(tmp_path):
    from types import SimpleNamespace

    from stamning.io.tables import write_table
    from stamning.model.config import ModelConfig
    from stamning.store.add import add_classified_file

    frame = classified("2026").drop(columns=["round"]).rename(columns={"id": "Id"})
    frame.loc[0, "text"] = "=ÅTGÄRDA(nu)"  # the CSV output guards it as '=ÅTGÄRDA(nu)
    out = write_table(frame, tmp_path / "klassat.csv")
    model = SimpleNamespace(config=ModelConfig(theme_keys=["bemotande"], theme_thresholds=[0.5], base="bas"))
    added = add_classified_file(tmp_path / "r.sqlite", out, model, source="svar.csv", round_label="2026")
    assert (added.added, added.rounds) == (7, ("2026",))
    stored = select(tmp_path / "r.sqlite").frame
    assert stored["text"].tolist()[:2] == ["=ÅTGÄRDA(nu)", "Dåligt bemötande på mötet."]
    assert stored["id"].tolist()[0] == "r0"
    with pytest.raises(StoreError, match="redan en omgångskolumn"):
        add_classified_file(
            tmp_path / "r.sqlite",
            write_table(classified("2026"), tmp_path / "b.csv"),
            model,
            source="b.csv",
            round_label="2026",
        )
