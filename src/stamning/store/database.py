"""The results store: classified comments of many rounds in one SQLite file (see docs/store.md).

``classify --store`` appends rows with the identity of the model that classified them (a hash of its
config, which holds the checksums of its weights and its taxonomy) and the time; ``summarize`` and
``compare`` read them back without loading a model. A row's key is a hash of (model, round, comment id,
text, occurrence), so adding the same rows again adds nothing. Rows of one round classified by two
models are both kept; readers choose one model per round and say which (:mod:`stamning.store.select`).

SQLite (Python's standard library) rather than DuckDB: nothing to install, one file to back up, and a
round of tens of thousands of rows is read in well under a second (figures in docs/store.md)."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from stamning.errors import StamningError
from stamning.records import PROB_COLUMNS

SCHEMA_VERSION = 1
STORE_EXTENSIONS = (".sqlite", ".sqlite3", ".db")

_SCHEMA = f"""
CREATE TABLE schema_version (version INTEGER NOT NULL);
CREATE TABLE models (
    model_id TEXT PRIMARY KEY, description TEXT NOT NULL, taxonomy TEXT NOT NULL, first_added TEXT NOT NULL);
CREATE TABLE batches (
    batch_id INTEGER PRIMARY KEY AUTOINCREMENT, model_id TEXT NOT NULL REFERENCES models(model_id),
    source TEXT NOT NULL, added_at TEXT NOT NULL, rows_seen INTEGER NOT NULL, rows_added INTEGER NOT NULL);
CREATE TABLE comments (
    row_key TEXT PRIMARY KEY, batch_id INTEGER NOT NULL REFERENCES batches(batch_id),
    model_id TEXT NOT NULL REFERENCES models(model_id), round TEXT NOT NULL, grp TEXT, comment_id TEXT NOT NULL,
    position INTEGER NOT NULL, text TEXT, idx REAL, status TEXT NOT NULL, reason TEXT, sentiment TEXT,
    sentiment_score REAL, sentiment_confidence REAL, {", ".join(f"{c} REAL" for c in PROB_COLUMNS)},
    themes TEXT, mixed INTEGER);
CREATE INDEX comments_round ON comments(round, model_id);
"""
_ROW_COLUMNS = (
    "row_key",
    "batch_id",
    "model_id",
    "round",
    "grp",
    "comment_id",
    "position",
    "text",
    "idx",
    "status",
    "reason",
    "sentiment",
    "sentiment_score",
    "sentiment_confidence",
    *PROB_COLUMNS,
    "themes",
    "mixed",
)


class StoreError(StamningError):
    """The results store cannot be opened, is of another schema version, or lacks what was asked for."""


@dataclass(frozen=True)
class ModelIdentity:
    """Who classified: ``model_id`` hashes the model's whole config (weight checksums, base, thresholds,
    taxonomy); ``description`` and ``taxonomy`` are kept readable in the store."""

    model_id: str
    description: dict
    taxonomy: dict

    @classmethod
    def of(cls, model) -> ModelIdentity:
        from stamning.model.config import model_identity

        config = asdict(model.config)
        digest = model_identity(model.config)["config_sha256"]  # the identity --resume checks, too
        description = {
            "base": config.get("base"),
            "encoder_mode": config.get("encoder_mode"),
            "theme_keys": config.get("theme_keys"),
            "weights_sha256": config.get("weights_sha256"),
        }
        taxonomy = config.get("taxonomy") or _default_taxonomy(config.get("theme_keys") or [])
        return cls(digest[:16], description, taxonomy)


def _default_taxonomy(keys: list[str]) -> dict:
    from stamning.themes.taxonomy import load_taxonomy

    tax = load_taxonomy()
    themes = [t for t in tax.to_dict()["theme"] if t["key"] in keys]
    known = {t["key"] for t in themes}
    themes += [{"key": k, "name": k, "definition": k} for k in keys if k not in known]
    return {"schema_version": 1, "source": "default", "theme": themes}


@dataclass(frozen=True)
class AddResult:
    rows: int
    added: int
    already: int
    rounds: tuple[str, ...]
    model_id: str


@dataclass(frozen=True)
class StoredRound:
    """One (round, model) pair in the store: what ``stamning store list`` shows."""

    round: str
    model_id: str
    rows: int
    classified: int
    first_added: str
    last_added: str
    sources: tuple[str, ...]
    base: str
    taxonomy: str


def _now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class ResultStore:
    """A results store file. Use as a context manager (``with ResultStore(path) as store``).
    ``create`` makes a new store when the file is missing; ``readonly`` opens it for reading only."""

    def __init__(self, path: str | Path, *, create: bool = False, readonly: bool = False):
        self.path = Path(path)
        if self.path.suffix.lower() not in STORE_EXTENSIONS:
            raise StoreError(
                f"{self.path.name}: resultatlagret är en SQLite-fil; ge det ändelsen .sqlite (t.ex. resultat.sqlite)"
            )
        if not self.path.is_file():
            if not create:
                raise StoreError(
                    f"{self.path}: resultatlagret finns inte; skapa det med stamning classify … --store {self.path.name}"
                )
            if not self.path.parent.is_dir():
                raise StoreError(
                    f"{self.path}: mappen {self.path.parent} finns inte; skapa den eller välj en annan sökväg"
                )
        self.db = self._connect(create, readonly and not create)

    def _connect(self, create: bool, readonly: bool) -> sqlite3.Connection:
        db = (
            sqlite3.connect(f"{self.path.resolve().as_uri()}?mode=ro", uri=True)
            if readonly
            else sqlite3.connect(self.path)
        )
        try:
            tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        except sqlite3.DatabaseError:
            db.close()
            raise StoreError(
                f"{self.path.name}: inte ett resultatlager från stamning (ingen SQLite-fil); välj en annan fil"
            ) from None
        if not tables and create:
            with db:
                db.executescript(_SCHEMA)
                db.execute("INSERT INTO schema_version VALUES (?)", (SCHEMA_VERSION,))
            return db
        if "schema_version" not in tables:
            db.close()
            raise StoreError(
                f"{self.path.name}: inte ett resultatlager från stamning (tabellen schema_version saknas); välj en annan fil"
            )
        found = db.execute("SELECT max(version) FROM schema_version").fetchone()[0]
        if found != SCHEMA_VERSION:
            db.close()
            raise StoreError(
                f"{self.path.name}: resultatlagrets schemaversion är {found}, den här stamning läser version "
                f"{SCHEMA_VERSION}; använd den stamning-version som skrev filen (se docs/store.md)"
            )
        return db

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> ResultStore:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # ------------------------------------------------------------------ writing
    def add(self, frame: pd.DataFrame, identity: ModelIdentity, source: str) -> AddResult:
        """Append classified rows (columns id, text, round, group, index + the output contract).
        Rows already in the store for the same model are left as they are."""
        missing = [c for c in ("id", "round", "status") if c not in frame.columns]
        if missing:
            raise StoreError(
                f"raderna saknar kolumnerna {', '.join(missing)}; klassa filen med stamning classify först"
            )
        rows = _rows(frame, identity.model_id)
        with self.db:
            self.db.execute(
                "INSERT OR IGNORE INTO models VALUES (?, ?, ?, ?)",
                (
                    identity.model_id,
                    json.dumps(identity.description, ensure_ascii=False),
                    json.dumps(identity.taxonomy, ensure_ascii=False),
                    _now(),
                ),
            )
            cur = self.db.execute(
                "INSERT INTO batches (model_id, source, added_at, rows_seen, rows_added) VALUES (?, ?, ?, ?, 0)",
                (identity.model_id, source, _now(), len(rows)),
            )
            batch = cur.lastrowid
            before = self.db.total_changes
            marks = ", ".join("?" * len(_ROW_COLUMNS))
            self.db.executemany(
                f"INSERT OR IGNORE INTO comments ({', '.join(_ROW_COLUMNS)}) VALUES ({marks})",
                [(r[0], batch, *r[1:]) for r in rows],
            )
            added = self.db.total_changes - before
            if added:
                self.db.execute("UPDATE batches SET rows_added = ? WHERE batch_id = ?", (added, batch))
            else:
                self.db.execute("DELETE FROM batches WHERE batch_id = ?", (batch,))
        rounds = tuple(dict.fromkeys(r[2] for r in rows))
        return AddResult(len(rows), added, len(rows) - added, rounds, identity.model_id)

    def remove(self, round: str, model: str | None = None) -> int:
        """Delete the rows of a round (of one model, given by its id or an id prefix); returns how many."""
        ids = self._model_ids(round, model)
        with self.db:
            removed = sum(
                self.db.execute("DELETE FROM comments WHERE round = ? AND model_id = ?", (round, m)).rowcount
                for m in ids
            )
            self.db.execute("DELETE FROM batches WHERE batch_id NOT IN (SELECT DISTINCT batch_id FROM comments)")
            self.db.execute("DELETE FROM models WHERE model_id NOT IN (SELECT DISTINCT model_id FROM comments)")
        return removed

    def _model_ids(self, round: str, model: str | None) -> list[str]:
        ids = [r[0] for r in self.db.execute("SELECT DISTINCT model_id FROM comments WHERE round = ?", (round,))]
        if not ids:
            known = ", ".join(self.rounds()) or "inga"
            raise StoreError(f"omgång {round} finns inte i {self.path.name}; omgångar som finns: {known}")
        if model is None:
            return ids
        chosen = [m for m in ids if m.startswith(model)]
        if len(chosen) != 1:
            raise StoreError(
                f"modell {model} {'passar flera' if chosen else 'finns inte'} för omgång {round}; "
                f"modeller för omgången: {', '.join(ids)}"
            )
        return chosen

    # ------------------------------------------------------------------ reading
    def rounds(self) -> list[str]:
        from stamning.summary.prepare import natural_key

        return sorted((r[0] for r in self.db.execute("SELECT DISTINCT round FROM comments")), key=natural_key)

    def listing(self) -> list[StoredRound]:
        """One entry per (round, model), rounds in natural order, the latest model last."""
        query = """SELECT c.round, c.model_id, count(*), sum(c.status = 'ok'), min(b.added_at), max(b.added_at),
                          group_concat(DISTINCT b.source), m.description, m.taxonomy, max(b.batch_id)
                   FROM comments c JOIN batches b USING (batch_id) JOIN models m ON m.model_id = c.model_id
                   GROUP BY c.round, c.model_id"""
        out, last_batch = [], {}
        for rnd, mid, n, ok, first, last, sources, desc, tax, batch in self.db.execute(query):
            last_batch[rnd, mid] = batch  # ties within a second: the batch added last is the latest
            out.append(
                StoredRound(
                    rnd,
                    mid,
                    n,
                    int(ok or 0),
                    first,
                    last,
                    tuple(sorted((sources or "").split(","))),
                    str(json.loads(desc).get("base")),
                    str(json.loads(tax).get("source", "")),
                )
            )
        order = {r: i for i, r in enumerate(self.rounds())}
        return sorted(out, key=lambda s: (order[s.round], s.last_added, last_batch[s.round, s.model_id]))

    def taxonomy(self, model_id: str) -> dict:
        row = self.db.execute("SELECT taxonomy FROM models WHERE model_id = ?", (model_id,)).fetchone()
        return json.loads(row[0]) if row else {}

    def frame(self, round: str, model_id: str) -> pd.DataFrame:
        """The stored rows of one round and model, in the order they were added, as a summary frame."""
        cols = (
            "comment_id",
            "text",
            "round",
            "grp",
            "idx",
            "sentiment",
            "sentiment_score",
            "sentiment_confidence",
            *PROB_COLUMNS,
            "themes",
            "mixed",
            "status",
            "reason",
        )
        rows = self.db.execute(
            f"SELECT {', '.join(cols)} FROM comments WHERE round = ? AND model_id = ? ORDER BY batch_id, position",
            (round, model_id),
        ).fetchall()
        frame = pd.DataFrame(rows, columns=list(cols)).rename(
            columns={"comment_id": "id", "grp": "group", "idx": "index"}
        )
        frame["mixed"] = [None if v is None else bool(v) for v in frame["mixed"]]
        return frame


def _text(value: object) -> str | None:
    if value is None or value is pd.NA or (isinstance(value, float) and value != value):
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = str(value).strip()
    return text or None


def _number(value: object) -> float | None:
    try:
        number = float(str(value).replace(",", ".")) if isinstance(value, str) else float(value)  # type: ignore[arg-type]  # anything else: TypeError below
    except (TypeError, ValueError):
        return None
    return None if number != number else number


def _rows(frame: pd.DataFrame, model_id: str) -> list[tuple]:
    from stamning.summary.prepare import as_bool

    n = len(frame)
    col = {
        c: frame[c].tolist() if c in frame.columns else [None] * n
        for c in (
            "id",
            "text",
            "round",
            "group",
            "index",
            "status",
            "reason",
            "sentiment",
            "sentiment_score",
            "sentiment_confidence",
            *PROB_COLUMNS,
            "themes",
            "mixed",
        )
    }
    seen: dict[str, int] = {}
    out = []
    for position in range(n):
        round_ = _text(col["round"][position])
        if round_ is None:
            raise StoreError(
                f"rad {position + 1} (id {_text(col['id'][position])}) saknar omgång; varje rad i lagret "
                "behöver en omgång: ange --round-column eller --round"
            )
        comment_id, text = _text(col["id"][position]) or str(position + 1), _text(col["text"][position])
        base = json.dumps([model_id, round_, comment_id, text], ensure_ascii=False)
        occurrence = seen[base] = seen.get(base, -1) + 1
        status = str(col["status"][position]).strip().lower()
        mixed = _text(col["mixed"][position])
        out.append(
            (
                hashlib.sha256(f"{base}#{occurrence}".encode()).hexdigest(),
                model_id,
                round_,
                _text(col["group"][position]),
                comment_id,
                position,
                text,
                _number(col["index"][position]),
                status,
                _text(col["reason"][position]),
                _text(col["sentiment"][position]),
                *(_number(col[c][position]) for c in ("sentiment_score", "sentiment_confidence", *PROB_COLUMNS)),
                _text(col["themes"][position]) or "",
                None if status != "ok" or mixed is None else int(as_bool(col["mixed"][position])),
            )
        )
    return out


__all__ = ["AddResult", "ModelIdentity", "ResultStore", "StoreError", "StoredRound", "SCHEMA_VERSION"]
