"""The notebooks in notebooks/ run top to bottom, offline, and their pictures render inline.

Each notebook is executed once (module-scoped) with nbclient on the ``python3`` kernel, with the
notebooks folder as working directory; the tests then read the executed copy.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
EXPECTED = [
    "01-explore-the-telco-model.ipynb",
    "02-ten-strategic-questions.ipynb",
    "03-finding-silos.ipynb",
    "04-sparql-cookbook.ipynb",
]
PICTURE_CALLS = (
    "model_picture(",
    "neighbourhood_picture(",
    "journey_picture(",
    "silo_picture(",
    "capability_map_picture(",
    "answer_picture(",
)
# Picture functions are also imported by name; only a cell that calls one draws a picture.
_IMPORT = "from kg.pictures import"


def _read(path: Path) -> nbformat.NotebookNode:
    return nbformat.read(path, as_version=4)  # type: ignore[no-untyped-call,no-any-return]


def test_the_four_notebooks_and_no_others() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_stored_without_outputs(name: str) -> None:
    notebook = _read(NOTEBOOKS / name)
    nbformat.validate(notebook)
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.outputs == [], f"{name}: stored outputs"
            assert cell.execution_count is None, f"{name}: stored execution count"


@pytest.fixture(scope="module", params=EXPECTED)
def executed(request: pytest.FixtureRequest) -> tuple[str, nbformat.NotebookNode]:
    name: str = request.param
    notebook = _read(NOTEBOOKS / name)
    # Nothing should need the network; make any attempt fail fast rather than reach a proxy.
    env = {k: v for k, v in os.environ.items() if "proxy" not in k.lower()}
    env["NO_PROXY"] = env["no_proxy"] = "*"
    env["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"
    client = NotebookClient(
        notebook,
        kernel_name="python3",
        timeout=120,
        resources={"metadata": {"path": str(NOTEBOOKS)}},
    )
    client.execute(env=env)
    return name, notebook


def _code_cells(notebook: nbformat.NotebookNode) -> list[nbformat.NotebookNode]:
    return [cell for cell in notebook.cells if cell.cell_type == "code"]


def _draws_picture(source: str) -> bool:
    lines = [line for line in source.splitlines() if not line.startswith(_IMPORT)]
    return any(call in line for line in lines for call in PICTURE_CALLS)


def test_runs_without_errors(executed: tuple[str, nbformat.NotebookNode]) -> None:
    name, notebook = executed
    for cell in _code_cells(notebook):
        for output in cell.outputs:
            assert output.output_type != "error", (
                f"{name}: {output.get('ename')}: {output.get('evalue')}"
            )
            if output.output_type == "stream":
                assert output.name == "stdout", f"{name}: stderr output: {output.text[:500]}"


def test_outputs_present(executed: tuple[str, nbformat.NotebookNode]) -> None:
    name, notebook = executed
    cells = _code_cells(notebook)
    assert all(cell.execution_count is not None for cell in cells), name
    # Only the set-up cells (imports, helpers) may stay silent; everything else shows something.
    silent = [cell.source.splitlines()[0] for cell in cells if not cell.outputs]
    assert len(silent) <= 3, f"{name}: cells without output: {silent}"
    assert sum(1 for cell in cells if cell.outputs) >= 4, name


def test_pictures_render_inline_and_offline(
    executed: tuple[str, nbformat.NotebookNode],
) -> None:
    name, notebook = executed
    pictures = [cell for cell in _code_cells(notebook) if _draws_picture(cell.source)]
    if name != "04-sparql-cookbook.ipynb":
        assert pictures, f"{name}: no picture"
    for cell in pictures:
        htmls = [
            output["data"]["text/html"]
            for output in cell.outputs
            if output.output_type in ("display_data", "execute_result")
            and "text/html" in output.get("data", {})
        ]
        assert htmls, f"{name}: a picture cell without HTML output: {cell.source[:80]}"
        page = "".join(htmls)
        assert "vis.Network" in page, name
        assert 'src="http' not in page and "src=&quot;http" not in page, name


VIEW_CALLS = (
    "business_model_canvas(",
    "value_proposition_canvas(",
    "journey_map(",
    "heatmap(",
    "silo_matrix(",
)


def test_views_render_inline_and_offline(executed: tuple[str, nbformat.NotebookNode]) -> None:
    name, notebook = executed
    drawn = [
        cell
        for cell in _code_cells(notebook)
        for line in cell.source.splitlines()
        if not line.startswith("from kg.views import") and any(c in line for c in VIEW_CALLS)
    ]
    if name != "04-sparql-cookbook.ipynb":
        assert drawn, f"{name}: no view"
    for cell in drawn:
        htmls = [
            output["data"]["text/html"]
            for output in cell.outputs
            if output.output_type in ("display_data", "execute_result")
            and "text/html" in output.get("data", {})
        ]
        assert htmls, f"{name}: a view cell without HTML output: {cell.source[:80]}"
        page = "".join(htmls)
        assert page.startswith("<style>") and 'class="kgv ' in page, name
        assert "<script" not in page, name
        assert not re.search(r"""(?:src|href)=["']https?://""", page), name
