"""Writing outputs safely: one atomic writer, one file mode, one lock per output, never over the input.

- :func:`atomic_output` gives a temporary path next to the target, unique per run (process id and a
  random part), and renames it into place only when the write succeeded: never a half-written file.
- Every output (tables, reports, parts of a resumable run, temporary files) is created with
  :data:`FILE_MODE` 0600 — readable and writable by the owner only — because outputs hold comments,
  i.e. personal data. Share a result deliberately (``chmod g+r fil``) rather than by accident.
- :func:`output_lock` takes an exclusive lock on ``<output>.lock`` for the length of a run; a second run
  to the same output is refused with the first one's process id.
- :func:`refuse_overwriting_input` stops a verb from writing over its own input (also through a
  symbolic link, a hard link or a case-insensitive file system) unless ``--in-place`` was asked for."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from stamning.errors import InputError

FILE_MODE = 0o600
TMP_SUFFIX = ".stamning-tmp"


def temp_path(target: Path) -> Path:
    """A fresh, unique temporary file next to ``target`` (created empty, mode 0600)."""
    fd, name = tempfile.mkstemp(prefix=f".{target.name}.{os.getpid()}.", suffix=TMP_SUFFIX, dir=target.parent or ".")
    os.close(fd)
    return Path(name)


@contextmanager
def atomic_output(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path; on success it becomes ``target`` (mode :data:`FILE_MODE`), on failure it goes."""
    target = Path(target)
    try:
        tmp = temp_path(target)
    except OSError as err:
        raise _os_error(target, err) from None
    try:
        yield tmp
        os.chmod(tmp, FILE_MODE)
        os.replace(tmp, target)
    except OSError as err:
        raise _os_error(target, err) from None
    finally:
        if tmp.exists():
            tmp.unlink()


def _os_error(target: Path, err: OSError) -> Exception:
    """The named error for a failed write of ``target`` (the path the user gave, not the temporary name)."""
    from stamning.errors import DiskError
    from stamning.io.oserrors import os_error_message

    return DiskError(os_error_message(OSError(err.errno, err.strerror, str(target))))


def stale_temp_files(target: Path) -> list[Path]:
    """Temporary files a killed run left next to ``target`` (they may hold comments)."""
    return sorted(target.parent.glob(f".{target.name}.*{TMP_SUFFIX}"))


def same_file(a: Path, b: Path) -> bool:
    """True when writing ``b`` would overwrite ``a``: the same path, a link to it, or another spelling of it."""
    if a.resolve() == b.resolve():
        return True
    try:
        return b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def refuse_overwriting_input(input: str | Path, output: str | Path, in_place: bool = False) -> None:
    if not in_place and Path(input).exists() and same_file(Path(input), Path(output)):
        raise InputError(
            f"{Path(output).name}: utfilen är samma fil som indatafilen och skulle skriva över den; "
            "välj en annan -o (eller ge --in-place om du verkligen vill ersätta indatafilen)"
        )


@contextmanager
def output_lock(target: Path) -> Iterator[None]:
    """Hold an exclusive lock on ``target`` for one run; refuse when another process holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks here
        yield
        return
    lock = target.with_name(target.name + ".lock")
    fd = os.open(lock, os.O_RDWR | os.O_CREAT, FILE_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            other = os.pread(fd, 32, 0).decode("ascii", "ignore").strip() or "okänd"
            raise InputError(
                f"{target.name}: en annan körning (process {other}) skriver redan till den här utfilen; "
                "vänta tills den är klar eller välj en annan -o"
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        try:
            yield
        finally:
            lock.unlink(missing_ok=True)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
