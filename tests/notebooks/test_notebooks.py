"""The analysts' notebooks, executed as an analyst runs them, against the test database.

Each notebook runs once in a fresh `python3` kernel (the venv's ipykernel) whose working
folder is `notebooks/` and whose environment points the default Settings at the test Neo4j.
"""

from __future__ import annotations

import base64
import html
import re
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient

from tests.conftest import REPO, DefaultDataset, cli_env

NOTEBOOKS = REPO / "notebooks"
EXPECTED = ["01_darayya.ipynb", "02_chains_of_command.ipynb", "03_sanctions_and_gaps.ipynb"]
CELL_TIMEOUT = 300
SRCDOC = re.compile(r'srcdoc="([^"]*)"')
EXTERNAL = re.compile(r"""<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*["']?\s*https?://""", re.I)
# Notebooks call graph/ functions; Cypher, the query module and raw drivers stay out of them.
CYPHER = re.compile(r"\b(?:MATCH|MERGE|CREATE)\s*\(|\bexecute_query\b|\bqueries\b|\bneo4j\b")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"

Run = Callable[[str], nbformat.NotebookNode]


@pytest.fixture(scope="module")
def run(shared_dataset: DefaultDataset) -> Iterator[Run]:
    """Execute a notebook (once per module) with the kernel pointed at the test database."""
    settings = shared_dataset.ensure()
    done: dict[str, nbformat.NotebookNode] = {}

    def execute(name: str) -> nbformat.NotebookNode:
        if name not in done:
            notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
            before = sorted(NOTEBOOKS.iterdir())
            NotebookClient(
                notebook,
                kernel_name="python3",
                timeout=CELL_TIMEOUT,
                resources={"metadata": {"path": str(NOTEBOOKS)}},
            ).execute()
            assert sorted(NOTEBOOKS.iterdir()) == before, f"{name} wrote files"
            done[name] = notebook
        return done[name]

    with pytest.MonkeyPatch.context() as env:
        # The kernel inherits this process's environment: the test database's settings, the
        # venv's kernelspec ahead of any user-wide one, and matplotlib's inline backend.
        for key, value in cli_env(settings).items():
            if key.startswith("SILSILA_"):
                env.setenv(key, value)
        env.setenv("JUPYTER_PATH", str(Path(sys.prefix) / "share" / "jupyter"))
        env.delenv("MPLBACKEND", raising=False)
        yield execute


def outputs(notebook: nbformat.NotebookNode) -> list[Any]:
    return [o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs]


def shown(notebook: nbformat.NotebookNode) -> str:
    """Everything the notebook displayed: printed text, tables' text and HTML."""
    parts = []
    for output in outputs(notebook):
        if output.output_type == "stream":
            parts.append(output.text)
        for mime in ("text/plain", "text/html"):
            parts.append(output.get("data", {}).get(mime, ""))
    return "\n".join(parts)


def network_pages(notebook: nbformat.NotebookNode) -> list[str]:
    """The pages inside the notebook's network views (each in an iframe's srcdoc)."""
    found = []
    for output in outputs(notebook):
        markup = output.get("data", {}).get("text/html", "")
        found += [html.unescape(m) for m in SRCDOC.findall(markup)]
    return found


def test_the_three_notebooks_are_committed() -> None:
    assert sorted(p.name for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_committed_notebook_is_clean(name: str) -> None:
    """Stored without outputs, valid nbformat 4, on the python3 kernel, and no Cypher."""
    notebook = nbformat.read(NOTEBOOKS / name, as_version=4)
    nbformat.validate(notebook)
    assert notebook.nbformat == 4
    assert notebook.metadata.kernelspec.name == "python3"
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code
    for cell in code:
        assert cell.outputs == [], cell.source
        assert cell.execution_count is None, cell.source
        assert not CYPHER.search(cell.source), cell.source
    assert notebook.cells[0].cell_type == "markdown"
    assert "silsila.close()" in code[-1].source


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_runs_without_an_error(run: Run, name: str) -> None:
    notebook = run(name)
    assert [o for o in outputs(notebook) if o.output_type == "error"] == []
    assert [o for o in outputs(notebook) if o.get("name") == "stderr"] == []
    for cell in notebook.cells:
        if cell.cell_type == "code":
            assert cell.execution_count is not None, cell.source


def test_darayya_sets_the_tolls_side_by_side_and_draws_the_network(run: Run) -> None:
    notebook = run("01_darayya.ipynb")
    text = shown(notebook)
    for killed in (320, 270, 700):
        assert f"<td>{killed}</td>" in text, killed
    assert "Whole-event counts of the killed range from 200 to 700." in text
    assert "Independent International Commission of Inquiry" in text
    assert "reasonable grounds to believe" in text
    assert "Specially Designated Nationals" in text
    (page,) = network_pages(notebook)
    assert '<div id="mynetwork"' in page
    assert "new vis.Network(container" in page
    assert "Network of Darayya massacre" in page
    assert "Qahtan Khalil" in page
    assert len(page) > 400_000, "vis-network itself is inlined"
    assert not EXTERNAL.search(page)
    assert not EXTERNAL.search(text)


def test_chains_change_with_the_date_and_name_the_gaps(run: Run) -> None:
    notebook = run("02_chains_of_command.ipynb")
    text = shown(notebook)
    assert "Qahtan Khalil" in text
    assert "possible" in text
    assert "No command post (commander or head) on record holds at this date." in text
    assert "it began in 2024-01, after 2023-12-31" in text
    assert "first cited in 2024-01; no later citation shows it continuing" in text
    assert "15th Division" in text
    pages = network_pages(notebook)
    assert len(pages) == 3
    assert all("new vis.Network(container" in p and not EXTERNAL.search(p) for p in pages)
    assert "head (possible)" in pages[1]


def test_sanctions_gaps_and_the_snhr_comparison_with_a_plot(run: Run) -> None:
    notebook = run("03_sanctions_and_gaps.ipynb")
    text = shown(notebook)
    assert "<td>498</td>" in text
    assert "<td>500</td>" in text
    assert "<td>257</td>" in text
    assert "<td>259</td>" in text
    assert "49 events cited from the report" in text
    assert "Sanctioned and also on the gap list: nobody" in text
    assert "Air Force Intelligence Directorate" in text
    pngs = [o.data["image/png"] for o in outputs(notebook) if "image/png" in o.get("data", {})]
    assert len(pngs) == 1
    assert base64.b64decode(pngs[0]).startswith(PNG_MAGIC)
