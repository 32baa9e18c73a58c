"""The package installs: the built wheel, in a fresh virtual environment, runs the main jobs.

The wheel must carry the ontology, the shapes, the queries, the report templates and the
example enterprises, and the library must find them where it is installed, not beside a
source tree. The test builds the wheel, installs it (with its dependencies, from the package
index or pip's cache) into a new environment, and runs ``kg`` from a folder outside the
repository.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str | Path, cwd: Path, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "BMKG_ONTOLOGY_DIR"}}
    return subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel built from a copy of the tracked files, as from a clean clone."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "source"
    # Nothing left over from an editable install or an earlier build can slip into the wheel.
    listed = run("git", "ls-files", "-z", cwd=ROOT)
    assert listed.returncode == 0, listed.stderr
    for name in filter(None, listed.stdout.split("\0")):
        if (ROOT / name).is_file():
            (source / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, source / name)
    built = run(
        *(sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps"),
        *("-w", work / "dist", "."),
        cwd=source,
    )
    assert built.returncode == 0, built.stderr
    [found] = (work / "dist").glob("bmkg-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The ``bin`` folder of a fresh environment with the wheel installed."""
    work = tmp_path_factory.mktemp("env")
    # The environment gets no pip of its own: this one installs into it (--python), and leaves
    # the bytecode to be compiled as modules are imported; 4 s and 3 s of the 23 s saved.
    made = run(sys.executable, "-m", "venv", "--without-pip", work / "env", cwd=work)
    assert made.returncode == 0, made.stderr
    bin_ = work / "env" / "bin"
    done = run(
        *(sys.executable, "-m", "pip", "--python", bin_ / "python", "install"),
        *("--quiet", "--no-compile", wheel),
        cwd=work,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr
    return bin_


def test_the_wheel_carries_the_ontology_the_queries_and_the_examples(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"bmkg_ontology/bmkg.ttl", "bmkg_ontology/shapes.ttl"} <= names
    assert "bmkg_ontology/alignments/archimate.ttl" in names
    assert {"bmkg_examples/telco/offer.ttl", "bmkg_examples/bank/offer.ttl"} <= names
    assert {"kg/templates/portfolio.html", "kg/py.typed"} <= names
    assert {
        "kg/interchange/xsd/3.1/archimate3_Diagram.xsd",
        "kg/interchange/xsd/3.1/LICENSE.txt",
        "kg/interchange/xsd/xml.xsd",
        "kg/interchange/schemas/bmml-v2.schema.json",
    } <= names
    queries = {p.relative_to(ROOT).as_posix() for p in (ROOT / "kg" / "queries").rglob("*.rq")}
    assert queries and queries <= names
    assert not any(n.startswith(("tests/", "bench/", "notebooks/")) for n in names)


def test_kg_runs_from_the_installed_package(installed: Path, tmp_path: Path) -> None:
    python, kg = installed / "python", installed / "kg"
    where = run(
        python,
        "-c",
        "import kg, kg.ontology as o; print(kg.__file__); print(o.ontology_dir()); "
        "print(kg.example_path()); print(o.alignment_path('archimate'))",
        cwd=tmp_path,
    )
    assert where.returncode == 0, where.stderr
    env = installed.parent
    for line in where.stdout.split():
        assert Path(line).is_relative_to(env), f"{line} is not in the installed package"
    example = Path(where.stdout.split()[2])
    assert Path(where.stdout.split()[3]).is_file()

    # A folder of the user's own: a copy of the bundled example, outside the repository.
    model = tmp_path / "my-model"
    shutil.copytree(example, model)
    validated = run(kg, "validate", model, cwd=tmp_path)
    assert validated.returncode == 0, validated.stdout + validated.stderr
    assert "the model conforms" in validated.stdout

    asked = run(kg, "ask", "1", cwd=tmp_path)  # no PATH: the bundled example
    assert asked.returncode == 0, asked.stdout + asked.stderr
    assert asked.stdout.startswith("Q1.")

    reported = run(kg, "report", model, "--out", tmp_path / "out", cwd=tmp_path)
    assert reported.returncode == 0, reported.stdout + reported.stderr
    page = (tmp_path / "out" / "report.html").read_text(encoding="utf-8")
    assert "Alpina Telecom AG" in page

    # Models in and out: the XSD, the BMML schema and the workbook come from the package.
    for form, out in (("archimate", "m.xml"), ("bmml", "m.bmml"), ("xlsx", "m.xlsx")):
        extra = ["--portfolio", "exploit", "--stage", "sustain"] if form == "bmml" else []
        exported = run(kg, "export", model, "-f", form, "-o", tmp_path / out, *extra, cwd=tmp_path)
        assert exported.returncode == 0, exported.stdout + exported.stderr
        imported = run(kg, "import", tmp_path / out, "--out", tmp_path / form, cwd=tmp_path)
        assert imported.returncode == 0, imported.stdout + imported.stderr
        assert "21 CustomerSegment" in imported.stdout
