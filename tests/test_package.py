"""The package surface: lazy exports stay what they are, and the documented output contract matches."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(code: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1"},
    )


def test_every_public_name_resolves_and_import_is_cheap():
    code = (
        "import sys, stamning\n"
        "assert 'torch' not in sys.modules, 'import stamning imported torch'\n"
        "names = [n for n in stamning.__all__ if n != '__version__']\n"
        "assert {'load_model', 'classify_file', 'summarize_file', 'compare_file', 'redact', 'train', 'evaluate'} <= set(names)\n"
        "for n in names:\n"
        "    getattr(stamning, n)\n"
        "import types\n"
        "for n in ('summarize', 'compare', 'train', 'evaluate', 'redact', 'redact_file', 'load_model', 'classify_file'):\n"
        "    assert callable(getattr(stamning, n)) and not isinstance(getattr(stamning, n), types.ModuleType), n\n"
    )
    result = _run(code)
    assert result.returncode == 0, result.stderr[-2000:]


def test_unknown_public_name_is_an_attribute_error():
    result = _run("import stamning\ntry:\n    stamning.nothing_here\nexcept AttributeError as e:\n    print(e)\n")
    assert result.returncode == 0 and "nothing_here" in result.stdout


def test_paths_documented_before_the_layout_still_work():
    import stamning
    from stamning.pipeline import classify_file, load_model
    from stamning.survey import compare_file, summarize_file

    assert load_model is stamning.load_model and classify_file is stamning.classify_file
    assert summarize_file is stamning.summarize_file and compare_file is stamning.compare_file


def test_truncated_ok_rows_carry_a_reason_and_the_contract_says_so():
    from stamning.records import __doc__ as records_doc

    readme = (ROOT / "README.md").read_text("utf-8")
    reason_line = next(line for line in readme.splitlines() if line.startswith("| `reason` |"))
    assert "`ok`" in reason_line and "avkortad" in reason_line
    assert "avkortad" in records_doc
