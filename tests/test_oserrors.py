"""Disk trouble at the command line: a read-only folder, a full disk, a folder as output. Each is one
Swedish line naming the path and the fix (never "oväntat fel"), and no partial output is left."""

from __future__ import annotations

import errno
import os

import pytest
from typer.testing import CliRunner

from stamning.cli.app import app
from stamning.io.oserrors import os_error_message

runner = CliRunner()
SECRET = "Åsa på lönekontoret sa att jag ljög"


@pytest.fixture
def survey(tmp_path):
    path = tmp_path / "enkät.csv"
    path.write_text(f"id;kommentar\n1;Bra stöd från chefen\n2;{SECRET}\n", "utf-8")
    return path


def _fail_writes(monkeypatch, number: int) -> None:
    """Every table write fails as the disk would, after the temporary file exists."""

    def failing(frame, tmp, suffix):
        tmp.write_bytes(b"halv fil")
        raise OSError(number, os.strerror(number), str(tmp))

    monkeypatch.setattr("stamning.io.tables._write", failing)


@pytest.mark.parametrize(
    "number, words",
    [
        (errno.ENOSPC, "disken är full"),
        (errno.EROFS, "skrivskyddat"),
        (errno.EACCES, "saknar behörighet"),
    ],
)
def test_disk_errors_are_named_with_the_fix(survey, tmp_path, monkeypatch, number, words):
    _fail_writes(monkeypatch, number)
    out = tmp_path / "maskad.csv"
    result = runner.invoke(app, ["redact", str(survey), "-o", str(out)])
    assert result.exit_code == 4
    line = result.output.strip()
    assert line.startswith("Fel:") and "\n" not in line and words in line and str(tmp_path) in line
    assert "oväntat fel" not in line and "lönekontoret" not in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["enkät.csv"]  # no output, no temporary file


def test_a_folder_as_output_is_named(survey, tmp_path):
    folder = tmp_path / "ut.csv"
    folder.mkdir()
    result = runner.invoke(app, ["redact", str(survey), "-o", str(folder)])
    assert result.exit_code != 0
    assert "oväntat fel" not in result.output and "ut.csv" in result.output


def test_read_only_folder_without_root(survey, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root may write in a read-only folder")
    folder = tmp_path / "låst"
    folder.mkdir()
    folder.chmod(0o555)
    try:
        result = runner.invoke(app, ["redact", str(survey), "-o", str(folder / "ut.csv")])
    finally:
        folder.chmod(0o755)
    assert result.exit_code == 4 and "saknar behörighet" in result.output and "låst" in result.output


def test_message_without_a_path_or_a_known_number():
    assert os_error_message(OSError(errno.ENOSPC, "No space left on device")).startswith("en fil: disken är full")
    odd = os_error_message(OSError(errno.EXDEV, "Invalid cross-device link", "/a/b"))
    assert odd.startswith("/a/b: fel från operativsystemet (Invalid cross-device link)")
