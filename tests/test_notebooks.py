"""The notebooks run headless on the real build and are committed without outputs.

Each notebook is executed with nbclient in a ``python3`` kernel that is this interpreter (a
kernelspec written to a temporary ``JUPYTER_PATH``, so the venv's packages are the ones used
whatever kernels the machine has registered). Executed notebooks are never written back.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import nbformat
import pytest

from parcs import paths

NOTEBOOKS = sorted((paths.REPO_ROOT / "notebooks").glob("*.ipynb"))


def test_notebooks_exist() -> None:
    assert {p.name for p in NOTEBOOKS} >= {"missing_links.ipynb", "network_overview.ipynb"}


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_clean(path: Path) -> None:
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{path.name}: strip the outputs"


@pytest.fixture(scope="module")
def venv_kernel(tmp_path_factory: pytest.TempPathFactory) -> str:
    """A ``python3`` kernelspec running this interpreter, with the repository importable."""
    root = tmp_path_factory.mktemp("jupyter")
    spec = root / "kernels" / "python3"
    spec.mkdir(parents=True)
    pythonpath = os.pathsep.join(p for p in (str(paths.REPO_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "Python 3 (parcs venv)", "language": "python",
        "env": {"PYTHONPATH": pythonpath},
    }))
    return str(root)


@pytest.mark.realdata
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs(path: Path, venv_kernel: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from nbclient import NotebookClient

    build = paths.build_dir("opendata")
    if not (build / "meta.json").is_file():
        pytest.skip(f"no real build in {build} (make data)")
    monkeypatch.setenv("JUPYTER_PATH", venv_kernel)
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(nb, kernel_name="python3", timeout=600,
                            resources={"metadata": {"path": str(path.parent)}})
    client.execute()
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs if o.output_type == "error"]
    assert not errors
