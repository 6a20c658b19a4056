"""The notebooks in notebooks/: each runs top to bottom in small mode (tiny model, small data), and
every notebook is committed without outputs (what nbstripout would leave)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK_DIR = ROOT / "notebooks"
EXPECTED = ("01-finetune.ipynb", "02-evaluate.ipynb", "03-own-themes.ipynb", "04-round-report.ipynb")
ALL_NOTEBOOKS = sorted(p for p in NOTEBOOK_DIR.glob("*.ipynb") if ".ipynb_checkpoints" not in p.parts)
CELL_TIMEOUT_S = 600


def test_expected_notebooks_exist():
    missing = [name for name in EXPECTED if not (NOTEBOOK_DIR / name).is_file()]
    assert not missing, f"missing notebooks: {missing}"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_no_outputs(path):
    """The nbstripout check: no outputs, no execution counts (run `nbstripout notebooks/*.ipynb`)."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        i
        for i, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)
    ]
    assert not dirty, f"{path.name}: code cells {dirty} have outputs or execution counts; strip them before committing"


@pytest.mark.parametrize("path", ALL_NOTEBOOKS, ids=lambda p: p.name)
def test_notebook_has_parameters_cell(path):
    """The first code cell is the papermill parameters cell and reads the small-mode switch."""
    nb = nbformat.read(path, as_version=4)
    first = next(cell for cell in nb.cells if cell.cell_type == "code")
    assert "parameters" in first.metadata.get("tags", [])
    assert "STAMNING_NOTEBOOK_SMALL" in first.source


@pytest.fixture(scope="module")
def kernel_spec_manager(tmp_path_factory):
    """A kernelspec named python3 that runs *this* interpreter (the venv), installed in a temp prefix,
    so a user-wide or system python3 kernelspec cannot slip in another Python."""
    from ipykernel.kernelspec import install
    from jupyter_client.kernelspec import KernelSpecManager

    prefix = tmp_path_factory.mktemp("kernelspec")
    install(kernel_name="python3", prefix=str(prefix))
    kernels = prefix / "share" / "jupyter" / "kernels"
    spec = json.loads((kernels / "python3" / "kernel.json").read_text("utf-8"))
    assert spec["argv"][0] == sys.executable
    return KernelSpecManager(kernel_dirs=[str(kernels)], ensure_native_kernel=False)


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_runs(name, kernel_spec_manager, tmp_path, monkeypatch):
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    monkeypatch.setenv("STAMNING_NOTEBOOK_SMALL", "1")
    monkeypatch.setenv("TMPDIR", str(tmp_path))  # the notebooks' scratch folders land here and are cleaned up
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    nb = nbformat.read(NOTEBOOK_DIR / name, as_version=4)
    km = KernelManager(kernel_name="python3", kernel_spec_manager=kernel_spec_manager)
    assert km.kernel_spec.argv[0] == sys.executable
    client = NotebookClient(
        nb,
        km=km,
        timeout=CELL_TIMEOUT_S,
        kernel_name="python3",
        allow_errors=False,
        resources={"metadata": {"path": str(ROOT)}},
    )
    client.execute()  # raises CellExecutionError (with the traceback) on the first failing cell
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.get("output_type") == "error"
    ]
    assert not errors
