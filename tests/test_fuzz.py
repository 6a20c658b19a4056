"""Fuzzing the command line with generated files (issue 21): encodings, delimiters, quoting, control
characters, huge and empty cells, duplicate and missing columns, broken CSV/XLSX/JSONL/Parquet, for
every verb (classify with a tiny model, summarize, redact) and every output format.

The contract, for every generated input:
- exit 0 and every input row out once, in order, with its id (skipped rows with a reason); or
- exit ≠ 0 with one Swedish line "Fel: …" that is never "oväntat fel" and never quotes a comment;
- never a partial output or temporary file left behind.

Focused cases (control characters into .xlsx, one-column CSVs with empty comments, UTF-16 and Mac line
endings, files without a header row) have tests of their own at the end.
Set STAMNING_FUZZ_KEEP=folder to keep every failing input with its command and output.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from stamning.cli.app import app

runner = CliRunner()
FUZZ = settings(
    derandomize=True,
    deadline=None,
    max_examples=20,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)
SECRET = "Hemlisord"  # in every comment: an error that quotes a comment shows it
WORDS = [
    "Bra",
    "dåligt",
    "bemötande",
    "Åsa",
    "chefen",
    "ökad",
    "stress",
    "tack!",
    "kommunen",
    "Ärligt",
    "😡",
    "👍🏽",
    "väl",
    "å",
    "ä",
    "ö",
    "Östen",
    "–",
    "…",
]
PUNCT = ['"', ";", ",", "\t", "\n", "\r\n", "'", "=SUMMA(A1)", "+46", "@x", "\\", "\u00a0", "  ", "-1", "#", "[NAMN]"]
CONTROL = ["\x0b", "\x1b[31m", "\x07", "\x0c", "\x01", "\x7f", "\u2028", "\ufeff"]


# --- generated tables -----------------------------------------------------------------------------


@dataclass
class Case:
    """A generated input file: its bytes, the ids every run must give back, and the comments' texts."""

    name: str
    data: bytes
    ids: list[str] | None  # None: the file is broken; an error is the right answer too
    texts: list[str] = field(default_factory=list)

    def __repr__(self) -> str:  # hypothesis prints this for a failing example
        return f"Case({self.name!r}, {len(self.data)} bytes, ids={self.ids})"


def _cell(draw, control: bool, huge: int) -> str:
    """Words, punctuation, maybe control characters; ``huge``: one cell in that many is 35,000 characters long."""
    pool = WORDS + PUNCT + (CONTROL if control else [])
    parts = draw(st.lists(st.sampled_from(pool), max_size=8))
    text = " ".join(parts)
    if huge and draw(st.integers(1, huge)) == 1:
        text += " stress" * 5_000  # 35,000 characters: past an XLSX cell's 32,767
    return text


def _comments(draw, n: int, control: bool = False, huge: int = 0) -> list[str]:
    out = []
    for _ in range(n):
        kind = draw(st.sampled_from(["text", "text", "text", "empty", "blank", "number"]))
        if kind == "empty":
            out.append("")
        elif kind == "blank":
            out.append("   ")
        elif kind == "number":
            out.append(str(draw(st.integers(-(10**12), 10**12))))
        else:
            out.append(f"{SECRET}{len(out)} " + _cell(draw, control, huge))
    return out


@st.composite
def tables(draw, control: bool = False, huge: int = 0, single: bool = False):
    n = draw(st.integers(1, 7))
    ids = [f"r{k}" for k in range(1, n + 1)]
    texts = _comments(draw, n, control, huge)
    extra = None if single else draw(st.sampled_from(["Omgång", "Grupp", "Kommentar 2"]))
    frame = pd.DataFrame({"id": ids, "kommentar": texts})
    if extra:
        frame[extra] = [draw(st.sampled_from(["2025", "2026", "A", "", "Åby"])) for _ in ids]
    return frame


def _csv_bytes(frame: pd.DataFrame, delimiter: str, quoting: int, newline: str, encoding: str) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, quoting=quoting, lineterminator=newline)
    writer.writerow(frame.columns)
    writer.writerows(frame.astype(str).values.tolist())
    return buffer.getvalue().encode(encoding, errors="replace")


def _xlsx_bytes(frame: pd.DataFrame) -> bytes:
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # an .xlsx file cannot hold them at all

    wb = Workbook()
    ws = wb.active
    ws.append(list(frame.columns))
    for row in frame.astype(str).values.tolist():
        ws.append([ILLEGAL_CHARACTERS_RE.sub("", v) for v in row])
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _jsonl_bytes(frame: pd.DataFrame, ascii_only: bool) -> bytes:
    lines = [json.dumps(dict(zip(frame.columns, row)), ensure_ascii=ascii_only) for row in frame.astype(str).values]
    return ("\n".join(lines) + "\n").encode("utf-8")


def _parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


@st.composite
def clean_files(
    draw,
    control: bool = True,
    huge: int = 0,
    encodings=("utf-8", "utf-8-sig", "cp1252"),
    newlines=("\n", "\r\n"),
    formats=("csv", "csv", "xlsx", "jsonl", "parquet"),
    single: bool = False,
):
    """Well-formed files in every input format; each must come out whole.

    ``single``: the comment is the only column (then an empty comment is an empty line in a CSV)."""
    frame = draw(tables(control=control, huge=huge, single=single))
    ids = frame["id"].tolist()
    texts = [t for t in frame["kommentar"] if t.startswith(SECRET)]
    fmt = draw(st.sampled_from(formats))
    if fmt == "csv":
        encoding = draw(st.sampled_from(encodings))
        data = _csv_bytes(
            frame,
            draw(st.sampled_from([";", ",", "\t"])),
            draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
            draw(st.sampled_from(newlines)),
            encoding,
        )
    elif fmt == "xlsx":
        data = _xlsx_bytes(frame)
    elif fmt == "jsonl":
        data = _jsonl_bytes(frame, draw(st.booleans()))
    else:
        data = _parquet_bytes(frame)
    if single or draw(st.booleans()):  # no id column: the row numbers are the ids
        frame = frame.drop(columns="id")
        ids = [str(k) for k in range(1, len(ids) + 1)]
        data = {
            "csv": lambda: _csv_bytes(
                frame,
                ";",
                draw(st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL])),
                draw(st.sampled_from(newlines)),
                draw(st.sampled_from(encodings)),
            ),
            "xlsx": lambda: _xlsx_bytes(frame),
            "jsonl": lambda: _jsonl_bytes(frame, False),
            "parquet": lambda: _parquet_bytes(frame),
        }[fmt]()
    return Case(f"in.{fmt}", data, ids, texts)


@st.composite
def broken_files(draw):
    """Damaged or mislabelled files: an error is fine, "oväntat fel" and leaked comments are not."""
    good = draw(clean_files(control=False))
    how = draw(
        st.sampled_from(
            [
                "truncate",
                "garbage",
                "prefix",
                "missing_text_column",
                "only_header",
                "wrong_suffix",
                "ragged",
                "duplicate_columns",
            ]
        )
    )
    data, name = good.data, good.name
    ids = None
    if how == "truncate":
        data = data[: draw(st.integers(1, max(1, len(data) - 1)))]
    elif how == "garbage":
        data = draw(st.binary(min_size=1, max_size=300))
    elif how == "prefix":
        data = draw(st.binary(min_size=1, max_size=20)) + data
    elif how == "missing_text_column":
        frame = pd.DataFrame({"id": ["a", "b"], "siffra": ["1", "2"]})
        data = _csv_bytes(frame, ";", csv.QUOTE_MINIMAL, "\n", "utf-8")
        name = "in.csv"
    elif how == "only_header":
        data, name = b"id;kommentar\n", "in.csv"
    elif how == "wrong_suffix":
        suffix = draw(st.sampled_from(["csv", "xlsx", "jsonl", "parquet"]))
        name = f"in.{suffix}"
        ids = good.ids if suffix == good.name.rsplit(".", 1)[1] else None
    elif how == "duplicate_columns":  # two columns of the same name: every row must still come out
        data = f"id;kommentar;kommentar;id\nr1;{SECRET}1 bra;x;a\nr2;{SECRET}2 dålig;y;b\n".encode()
        name, ids = "in.csv", ["r1", "r2"]
    else:  # a CSV row with more fields than the header
        data, name = f"id;kommentar\nr1;{SECRET}1 bra\nr2;{SECRET}2 ;extra;fält\n".encode(), "in.csv"
    return Case(name, data, ids, good.texts)


# --- running a verb -------------------------------------------------------------------------------


@lru_cache(maxsize=4)
def _cached_model(path: str):
    from stamning.model.classifier import StamningModel

    return StamningModel.from_pretrained(path)


@pytest.fixture(scope="module")
def fuzz_model(tiny_base, tmp_path_factory) -> str:
    """An untrained tiny stamning model (random heads): fast to build and to run; its answers do not matter."""
    from stamning.model.classifier import StamningModel
    from stamning.model.config import ModelConfig

    config = ModelConfig(
        theme_keys=["stod", "ledarskap"],
        theme_thresholds=[0.5, 0.5],
        base=str(tiny_base),
        encoder_mode="frozen",
        max_length=64,
    )
    out = tmp_path_factory.mktemp("fuzz-model") / "model"
    StamningModel.from_base(tiny_base, config).save_pretrained(out)
    return str(out)


@pytest.fixture(autouse=True)
def _model_loaded_once(monkeypatch):
    """Each CLI call would load the model again; the fuzz cases share one load (loading is tested elsewhere)."""
    monkeypatch.setattr("stamning.model.loading.load_model", lambda name=None, device="cpu": _cached_model(str(name)))


def _read_output(path: Path) -> pd.DataFrame:
    suffix = path.suffix
    if suffix == ".csv":
        return pd.read_csv(path, sep=";", dtype=str, keep_default_na=False, encoding="utf-8-sig")
    if suffix == ".xlsx":
        return pd.read_excel(path, dtype=str, keep_default_na=False)
    if suffix == ".jsonl":
        return pd.read_json(path, lines=True, dtype=False)
    return pd.read_parquet(path)


def _check_error(result, case: Case) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    text = result.output.strip()
    assert text.startswith("Fel:") and "\n" not in text, text
    assert "oväntat fel" not in text, text
    assert SECRET not in text and "Traceback" not in text, text
    for comment in case.texts:
        body = comment.strip()
        assert len(body) < 12 or body not in text, text


def _keep(case: Case, args: list[str], output: str) -> None:
    """With STAMNING_FUZZ_KEEP=folder, a failing input is saved there with its command and output."""
    folder = os.environ.get("STAMNING_FUZZ_KEEP")
    if folder:
        name = hashlib.sha256(case.data).hexdigest()[:12]
        Path(folder).mkdir(parents=True, exist_ok=True)
        (Path(folder) / f"{name}-{case.name}").write_bytes(case.data)
        (Path(folder) / f"{name}.txt").write_text(f"{args[:1] + args[2:]}\n{output}", "utf-8")


def _run(verb: str, case: Case, out_suffix: str | None, model: str, extra: tuple[str, ...] = ()) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder, out_dir = Path(tmp) / "in", Path(tmp) / "ut"
        folder.mkdir()
        out_dir.mkdir()
        source = folder / case.name
        source.write_bytes(case.data)
        args = [verb, str(source)]
        output = out_dir / f"ut{out_suffix}" if out_suffix else None
        if output is not None:
            args += ["-o", str(output)]
        if verb in ("classify", "summarize"):
            args += ["--model", model]
        result = runner.invoke(app, [*args, *extra])
        try:
            _check_contract(verb, case, result, output, out_dir)
        except AssertionError:
            _keep(case, [*args, *extra], result.output)
            raise


def _check_contract(verb: str, case: Case, result, output: Path | None, out_dir: Path) -> None:
    """The contract of the module docstring for one run."""
    left = sorted(p.name for p in out_dir.iterdir())
    if result.exit_code != 0:
        _check_error(result, case)
        assert not [n for n in left if not n.endswith(".parts")], left  # parts may stay for --resume
        return
    assert result.exception is None, repr(result.exception)
    if output is None:
        return
    assert left == [output.name], left
    if verb == "summarize":
        return
    frame = _read_output(output)
    if case.ids is not None:
        assert [str(v) for v in frame["id"]] == case.ids
    if verb == "classify":
        assert set(frame["status"]) <= {"ok", "skipped"}
        skipped = frame[frame["status"] == "skipped"]
        assert all(str(r).strip() for r in skipped["reason"]), skipped["reason"].tolist()


TABLE_OUT = [".csv", ".jsonl", ".parquet", ".xlsx"]
SUMMARY_OUT = [".md", ".html", ".json", ".xlsx", None]


@st.composite
def clean_runs(draw, outs=tuple(TABLE_OUT)):
    """An output format and a well-formed input; control characters and huge cells only where an .xlsx output
    is not asked (those cases are ``test_control_characters_in_xlsx_output``)."""
    out = draw(st.sampled_from(outs))
    return out, draw(clean_files(control=out != ".xlsx", huge=0 if out == ".xlsx" else 6))


# --- the contract on well-formed and broken files -------------------------------------------------


@FUZZ
@given(run=clean_runs())
def test_classify_keeps_every_row(fuzz_model, run):
    out, case = run
    _run("classify", case, out, fuzz_model)


@FUZZ
@given(run=clean_runs())
def test_redact_keeps_every_row(fuzz_model, run):
    out, case = run
    _run("redact", case, out, fuzz_model)


@settings(FUZZ, max_examples=10)
@given(run=clean_runs(tuple(SUMMARY_OUT)))
def test_summarize_answers_or_names_the_problem(fuzz_model, run):
    out, case = run
    _run("summarize", case, out, fuzz_model, ("--min-group", "1"))


@FUZZ
@given(
    case=broken_files(),
    verb=st.sampled_from(["classify", "redact", "summarize"]),
    out=st.sampled_from([".csv", ".xlsx", ".jsonl"]),
)
def test_broken_files_get_a_named_error(fuzz_model, case, verb, out):
    _run(verb, case, ".md" if verb == "summarize" else out, fuzz_model)


# --- focused cases ---------------------------------------------------------------------------------

VERBS = st.sampled_from(["classify", "redact"])
FOCUSED = settings(FUZZ, max_examples=8)


@FOCUSED
@given(case=clean_files(control=True, formats=("csv", "jsonl", "parquet")), verb=VERBS)
def test_control_characters_in_xlsx_output(fuzz_model, case, verb):
    _run(verb, case, ".xlsx", fuzz_model)


@FOCUSED
@given(case=clean_files(formats=("csv",), single=True), verb=VERBS)
def test_one_column_csv_with_empty_comments(fuzz_model, case, verb):
    _run(verb, case, ".csv", fuzz_model)


@FOCUSED
@given(
    case=clean_files(formats=("csv",), encodings=("utf-16", "utf-16-le", "utf-16-be"), newlines=("\r", "\n")),
    verb=st.sampled_from(["classify", "redact", "summarize"]),
)
def test_utf16_and_mac_line_endings(fuzz_model, case, verb):
    _run(verb, case, ".md" if verb == "summarize" else ".csv", fuzz_model)


@st.composite
def headerless_files(draw):
    """A CSV export without its header row: the first comment must neither be lost nor quoted."""
    frame = draw(tables(control=False))
    frame["kommentar"] = [f"{SECRET}{k} en ganska lång kommentar om chefen" for k in range(len(frame))]
    data = _csv_bytes(frame, ";", csv.QUOTE_MINIMAL, "\n", "utf-8").split(b"\n", 1)[1]
    return Case("in.csv", data, frame["id"].tolist(), frame["kommentar"].tolist())


@FOCUSED
@given(case=headerless_files(), verb=st.sampled_from(["classify", "redact", "summarize"]))
def test_file_without_header_row(fuzz_model, case, verb):
    _run(verb, case, ".md" if verb == "summarize" else ".csv", fuzz_model)
