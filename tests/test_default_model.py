"""The embedded default model end to end (real base weights: marked slow, runs in .ci/run)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stamning.model.loading import default_model_dir

pytestmark = pytest.mark.slow
EXAMPLE = Path(__file__).resolve().parents[1] / "data" / "examples" / "utvardering_kommundirektor.csv"


@pytest.fixture(scope="module")
def model():
    from stamning.model.loading import load_model

    return load_model()


def test_shipped_files_are_small_and_checksummed():
    directory = default_model_dir()
    total = sum(p.stat().st_size for p in directory.rglob("*") if p.is_file())
    assert total < 10 * 2**20
    config = json.loads((directory / "config.json").read_text("utf-8"))
    assert set(config["weights_sha256"]) >= {"heads.safetensors"}
    assert "Measured" in (directory / "README.md").read_text("utf-8")


def test_clear_comments_get_sensible_labels(model):
    preds = model.predict(
        [
            "Fantastisk chef, alltid lyhörd och ett varmt bemötande!",
            "Väldigt dåligt bemötande, jag blev utskälld inför hela gruppen.",
            "Informationen om omorganisationen kom för sent.",
        ]
    )
    assert preds[0].sentiment in ("positiv", "mycket_positiv")
    assert preds[1].sentiment == "mycket_negativ"
    assert "bemotande" in preds[0].themes or "ledarskap" in preds[0].themes
    assert "kommunikation" in preds[2].themes


def test_the_hard_middle_the_shipped_model_learnt(model):
    """Cases the models before N got wrong (models/README.md, "Candidate M" and "Candidates N and O"): a complaining
    question, slang praise with laughter, a fact that is criticism, a lukewarm verdict that is no superlative."""
    preds = model.predict(
        [
            "Är det verkligen rimligt att vi ska jobba över varje vecka?",
            "haha klockrent",
            "Informationen kom för sent.",
            "Helt ok hotell för en natt, inget mer.",
            "När öppnar simhallen efter renoveringen?",
        ]
    )
    assert preds[0].sentiment in ("negativ", "mycket_negativ")
    assert preds[1].sentiment in ("positiv", "mycket_positiv")
    assert preds[2].sentiment in ("negativ", "mycket_negativ")
    assert preds[3].sentiment in ("neutral", "positiv")
    assert preds[4].sentiment == "neutral"


@pytest.mark.xfail(reason="known weakness: terse mild criticism ('kom för sent') is read as neutral", strict=True)
def test_terse_mild_criticism_is_negative(model):
    (pred,) = model.predict(["Informationen om omorganisationen kom för sent."])
    assert pred.sentiment in ("negativ", "mycket_negativ")


def test_main_job_finds_the_harsh_outlier(model):
    from stamning.engines.survey import SurveyOptions, summarize_file

    summary = summarize_file(EXAMPLE, SurveyOptions(model=None)).to_dict()
    rounds = {r["round"]: r for r in summary["rounds"]}
    assert rounds["2026"]["net_score"]["value"] > rounds["2024"]["net_score"]["value"]
    assert "R2026-005" in {o["id"] for o in rounds["2026"]["outliers"]}
    assert {"R2026-005", "R2026-035"} <= {a["id"] for a in rounds["2026"]["attention"]}
    text = json.dumps(summary, ensure_ascii=False)
    assert "070-174 06 23" not in text and "sofia.lindqvist@kommun.example" not in text


def test_mixed_comes_from_the_clauses_of_one_pass(model):
    mixed, positive, negative = model.predict(
        [
            "Fantastisk chef, alltid lyhörd och vänlig! Väldigt dåligt bemötande, jag blev utskälld inför alla.",
            "Fantastisk chef, alltid lyhörd och vänlig! Toppen! Snabb och kunnig hjälp från HR.",
            "Väldigt dåligt bemötande. Jag blev utskälld inför alla; ingen brydde sig.",
        ]
    )
    assert mixed.mixed
    assert not positive.mixed and not negative.mixed
