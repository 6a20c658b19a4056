"""Runs of the workbench: one folder per run under ``$STAMNING_HOME/serve/<run-id>``.

A run holds the uploaded file, its chosen columns, the job's progress and the results. Run ids come
from the browser, so they are checked against a strict pattern before they name a folder, and file
names from the browser are reduced to a safe base name with an allowed extension."""

from __future__ import annotations

import json
import re
import shutil
import threading
import time
import uuid
from dataclasses import asdict, dataclass, field
from enum import Enum
from pathlib import Path

from stamning.errors import InputError
from stamning.io.tables import READ_EXTENSIONS

RUN_ID = re.compile(r"^[0-9a-f]{32}$")
UPLOAD_DIR = "upload"
META = "run.json"
ROLES = ("text", "id", "round", "group", "index")


class RunState(str, Enum):
    UPLOADED = "uploaded"
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


class Download(Enum):
    """The files a finished run offers, by the name used in its URL."""

    ROWS_XLSX = "klassade.xlsx"
    ROWS_CSV = "klassade.csv"
    REPORT_HTML = "rapport.html"
    REPORT_XLSX = "rapport.xlsx"

    @classmethod
    def named(cls, name: str) -> Download | None:
        return next((d for d in cls if d.value == name), None)


@dataclass
class Run:
    id: str
    filename: str
    created: float
    columns: list[str] = field(default_factory=list)
    rows: int = 0
    guess: dict[str, str | None] = field(default_factory=dict)
    chosen: dict[str, str | None] = field(default_factory=dict)
    state: RunState = RunState.UPLOADED
    done: int = 0
    total: int = 0
    started: float | None = None
    finished: float | None = None
    error: str | None = None
    classified: int | None = None
    skipped: int | None = None
    note: str | None = None  # e.g. comments read without the "?" a Windows-1252 export wrote for emoji

    def to_json(self) -> dict:
        d = asdict(self)
        d["state"] = self.state.value
        return d

    @classmethod
    def from_json(cls, d: dict) -> Run:
        d = dict(d)
        d["state"] = RunState(d.get("state", "uploaded"))
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in d.items() if k in known})

    def progress(self, now: float | None = None) -> dict:
        """What the progress bar shows: rows done, total, rate and seconds left."""
        now = time.time() if now is None else now
        elapsed = (self.finished or now) - self.started if self.started else 0.0
        rate = self.done / elapsed if elapsed > 0 and self.done else None
        left = (self.total - self.done) / rate if rate and self.state == RunState.RUNNING else None
        return {
            "state": self.state.value,
            "done": self.done,
            "total": self.total,
            "percent": round(100 * self.done / self.total) if self.total else 0,
            "rate": round(rate, 1) if rate else None,
            "seconds_left": round(left) if left is not None else None,
            "error": self.error,
        }


def safe_filename(name: str | None) -> str:
    """The browser's file name reduced to a safe base name; the extension must be one we read."""
    base = re.split(r"[\\/]", name or "")[-1].strip()
    suffix = Path(base).suffix.lower()
    if suffix not in READ_EXTENSIONS:
        raise InputError(
            f"{base or '(inget filnamn)'}: okänd filtyp {suffix or '(ingen)'}; "
            f"ladda upp en av {', '.join(READ_EXTENSIONS)}"
        )
    stem = re.sub(r"[^0-9A-Za-zÅÄÖåäöÉé_. -]+", "_", Path(base).stem).strip(" .") or "indata"
    return stem[:80] + suffix


_MAGIC = {".xlsx": (b"PK\x03\x04",), ".xlsm": (b"PK\x03\x04",), ".parquet": (b"PAR1",)}


def check_content(filename: str, head: bytes) -> None:
    """A cheap type check on the first bytes: zip for Excel, PAR1 for Parquet, no binary in text files."""
    suffix = Path(filename).suffix.lower()
    if suffix in _MAGIC:
        if not head.startswith(_MAGIC[suffix]):
            raise InputError(f"{filename}: filen är inte en riktig {suffix}-fil; spara den igen i rätt format")
    elif b"\x00" in head[:4096] and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(f"{filename}: filen ser binär ut, inte som text; spara den som CSV UTF-8 eller .xlsx")


class RunStore:
    """Run folders under ``root``; runs in memory are the truth while this process lives."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self._runs: dict[str, Run] = {}
        self._lock = threading.Lock()

    def folder(self, run_id: str) -> Path:
        if not RUN_ID.match(run_id or ""):
            raise KeyError(run_id)
        path = (self.root / run_id).resolve()
        if path.parent != self.root.resolve():
            raise KeyError(run_id)
        return path

    def create(self, filename: str) -> tuple[Run, Path]:
        run = Run(id=uuid.uuid4().hex, filename=filename, created=time.time())
        folder = self.folder(run.id)
        (folder / UPLOAD_DIR).mkdir(parents=True, mode=0o700)
        self.root.chmod(0o700)
        with self._lock:
            self._runs[run.id] = run
        return run, folder / UPLOAD_DIR / filename

    def input_path(self, run: Run) -> Path:
        return self.folder(run.id) / UPLOAD_DIR / run.filename

    def get(self, run_id: str) -> Run:
        folder = self.folder(run_id)
        with self._lock:
            if run_id in self._runs:
                return self._runs[run_id]
        meta = folder / META
        if not meta.is_file():
            raise KeyError(run_id)
        run = Run.from_json(json.loads(meta.read_text("utf-8")))
        if run.state in (RunState.RUNNING, RunState.QUEUED):  # a run from a server that has stopped
            run.state, run.error = RunState.FAILED, "körningen avbröts när servern stängdes; starta den igen"
        with self._lock:
            self._runs[run_id] = run
        return run

    def save(self, run: Run) -> None:
        folder = self.folder(run.id)
        if not folder.is_dir():
            return
        tmp = folder / f".{META}.tmp"
        tmp.write_text(json.dumps(run.to_json(), ensure_ascii=False), "utf-8")
        tmp.replace(folder / META)

    def all(self) -> list[Run]:
        if not self.root.is_dir():
            return []
        runs = []
        for child in self.root.iterdir():
            try:
                runs.append(self.get(child.name))
            except (KeyError, ValueError, OSError):
                continue
        return sorted(runs, key=lambda r: r.created, reverse=True)

    def delete(self, run_id: str) -> None:
        folder = self.folder(run_id)
        with self._lock:
            self._runs.pop(run_id, None)
        shutil.rmtree(folder, ignore_errors=True)

    def result(self, run: Run, download: Download) -> Path:
        return self.folder(run.id) / download.value
