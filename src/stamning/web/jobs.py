"""The workbench's background work: classify an uploaded file, write the classified rows and the report.

One job runs at a time (the model uses every core); the others wait their turn. Progress is written to
the :class:`~stamning.web.runs.Run` after every small chunk so the page can show rows done, rate and
time left. Errors a user can act on become the run's one-line message; anything else is reported as
an unexpected error without its text (it may quote a comment)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from stamning.errors import StamningError
from stamning.options import BATCH_SIZE
from stamning.web.runs import ROLES, Download, Run, RunState, RunStore

log = logging.getLogger("stamning.web")
PROGRESS_STEPS = 50  # progress updates per run, at most ...
MIN_CHUNK, MAX_CHUNK = 64, 2048  # ... with model calls of this many rows (the CLI's --chunk-rows is 2048)


class Cancelled(Exception):
    """The run was deleted from the page while it was working."""


@dataclass(frozen=True)
class JobSettings:
    """How runs are classified and summarised (the CLI's defaults)."""

    model: str | Path | None = None
    batch_size: int = BATCH_SIZE
    min_group: int = 5
    min_quote_group: int = 10

    def __post_init__(self) -> None:
        if self.batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {self.batch_size}")


class Jobs:
    """Starts runs in background threads, one at a time, with the model loaded once."""

    def __init__(self, store: RunStore, settings: JobSettings) -> None:
        self.store = store
        self.settings = settings
        self._model = None
        self._model_lock = threading.Lock()
        self._turn = threading.Lock()
        self._cancelled: set[str] = set()
        self.threads: dict[str, threading.Thread] = {}

    def model(self):
        with self._model_lock:
            if self._model is None:
                from stamning.model.loading import load_model

                self._model = load_model(self.settings.model)
            return self._model

    def start(self, run: Run, *, redact: bool = True) -> None:
        run.state, run.error, run.done, run.started, run.finished = RunState.QUEUED, None, 0, None, None
        run.total = run.rows
        self.store.save(run)
        thread = threading.Thread(target=self._work, args=(run, redact), name=f"stamning-run-{run.id[:8]}", daemon=True)
        self.threads[run.id] = thread
        thread.start()

    def cancel(self, run_id: str) -> bool:
        """Ask a running job to stop; True when one was running (it removes its folder itself)."""
        thread = self.threads.get(run_id)
        if thread is None or not thread.is_alive():
            return False
        self._cancelled.add(run_id)
        return True

    def _work(self, run: Run, redact: bool) -> None:
        try:
            with self._turn:
                run.state, run.started = RunState.RUNNING, time.time()
                self.store.save(run)
                self._classify_and_report(run, redact)
            if run.id in self._cancelled:  # deleted while its last step ran
                raise Cancelled()
            run.state, run.finished = RunState.DONE, time.time()
        except Cancelled:
            self.store.delete(run.id)
            return
        except StamningError as exc:
            run.state, run.error, run.finished = RunState.FAILED, str(exc), time.time()
        except MemoryError:
            run.state, run.error = RunState.FAILED, "minnet tog slut; dela upp filen i mindre delar"
        except Exception as exc:  # never the message: it may quote a comment
            log.error("oväntat fel i körning %s: %s", run.id, type(exc).__name__)
            run.state, run.error = RunState.FAILED, f"oväntat fel ({type(exc).__name__}); rapportera felet"
        finally:
            self._cancelled.discard(run.id)
        self.store.save(run)

    def _progress(self, run: Run):
        def update(done: int, total: int) -> None:
            if run.id in self._cancelled:
                raise Cancelled()
            run.done, run.total = done, total

        return update

    def _classify_and_report(self, run: Run, redact: bool) -> None:
        from stamning.engines.local import classify_table, predictions_frame
        from stamning.engines.survey import SurveyOptions, redactor
        from stamning.io.lost_marks import lost_marks_note
        from stamning.io.tables import Columns, atomic_write_text, read_comments, write_table
        from stamning.report import render as report
        from stamning.summary.prepare import is_predictions, summary_frame
        from stamning.summary.rounds import summarize

        c = run.chosen
        table = read_comments(
            self.store.input_path(run),
            text_column=c.get("text"),
            id_column=c.get("id"),
            round_column=c.get("round"),
            group_column=c.get("group"),
            index_column=c.get("index"),
        )
        # "(ingen)" means none, not a guess; the start form requires a text column
        table.columns = Columns(**{role: c.get(role) for role in ROLES})  # type: ignore[arg-type]
        if table.columns.id is None and "id" in table.frame.columns:  # row numbers become the ids
            table.frame = table.frame.rename(columns={"id": "input_id"})
        run.total = len(table.frame)
        by = tuple(role for role in ("round", "group") if getattr(table.columns, role) is not None)
        options = SurveyOptions(
            by=by, min_group=self.settings.min_group, min_quote_group=self.settings.min_quote_group, redact=redact
        )
        if is_predictions(table.frame):
            rows, frame = table.frame, summary_frame(table)
        else:
            preds = classify_table(
                self.model(),
                table,
                batch_size=self.settings.batch_size,
                chunk_rows=min(MAX_CHUNK, max(MIN_CHUNK, run.total // PROGRESS_STEPS)),
                progress=self._progress(run),
            )
            rows = predictions_frame(table, preds)
            frame = summary_frame(table, rows)
            lost = table.lost_marks()
            run.note = lost_marks_note(lost, run.filename) if lost else None
        run.done = run.total
        ok = frame["status"].eq("ok")
        run.classified, run.skipped = int(ok.sum()), int((~ok).sum())
        write_table(rows, self.store.result(run, Download.ROWS_XLSX))
        write_table(rows, self.store.result(run, Download.ROWS_CSV))
        summary = summarize(
            frame,
            by=options.by,
            min_group=options.min_group,
            min_quote_group=options.min_quote_group,
            redactor=redactor(options),
            include_comparison="round" in options.by,
        )
        if run.note:  # for the downloaded reports' readers too
            summary.notes.append(f"{run.note}.")
        atomic_write_text(self.store.result(run, Download.REPORT_HTML), report.to_html(summary))
        report.to_xlsx(summary, self.store.result(run, Download.REPORT_XLSX))
