"""The package surface: lazy exports stay what they are, and the documented output contract matches."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_exported_verbs_stay_functions_after_their_module_is_imported():
    code = (
        "import stamning, types\n"
        "for name in ('summarize', 'train', 'evaluate', 'redact'):\n"
        "    first = getattr(stamning, name)\n"
        "    __import__('stamning.' + name)\n"
        "    second = getattr(stamning, name)\n"
        "    assert callable(first) and not isinstance(first, types.ModuleType), name\n"
        "    assert second is first, name\n"
        "from stamning.summarize import summarize\n"
        "assert stamning.summarize is summarize\n"
        "import importlib; assert importlib.import_module('stamning.summarize').summarize is summarize\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            env={"PYTHONPATH": str(ROOT / "src"), "HF_HUB_OFFLINE": "1"})
    assert result.returncode == 0, result.stderr[-2000:]


def test_truncated_ok_rows_carry_a_reason_and_the_contract_says_so():
    from stamning.records import __doc__ as records_doc

    readme = (ROOT / "README.md").read_text("utf-8")
    reason_line = next(line for line in readme.splitlines() if line.startswith("| `reason` |"))
    assert "`ok`" in reason_line and "avkortad" in reason_line
    assert "avkortad" in records_doc
