"""The dependency rule of docs/architecture.md, checked on every run: import-linter's
contracts in .importlinter, and no project import hidden inside a function."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
PACKAGES = ("surveys", "reports")


def lint_imports(root):
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", "--config", str(root / ".importlinter")],
        cwd=root,
        env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
    )


def test_imports_keep_the_contracts():
    result = lint_imports(PROJECT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" in result.stdout and "0 broken" in result.stdout


def test_an_upward_import_breaks_the_contracts(tmp_path):
    # The same tree with one import from a low feature up into reports' views.
    for package in PACKAGES:
        shutil.copytree(
            PROJECT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    shutil.copy(PROJECT / ".importlinter", tmp_path / ".importlinter")
    permissions = tmp_path / "surveys/core/permissions.py"
    permissions.write_text(permissions.read_text() + "\nfrom reports import views  # noqa\n")
    result = lint_imports(tmp_path)
    assert result.returncode == 1
    assert "surveys.core.permissions -> reports.views" in result.stdout


def _project_modules():
    for package in PACKAGES:
        for path in sorted((PROJECT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def test_no_project_import_hides_inside_a_function():
    hidden = []
    for path in _project_modules():
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if path.name == "apps.py" and function.name == "ready":
                continue  # Django's documented place to connect signals once the models load
            for node in ast.walk(function):
                if isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                elif isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                else:
                    continue
                if any(name.split(".")[0] in PACKAGES for name in names):
                    hidden.append(f"{path.relative_to(PROJECT)}:{node.lineno}")
    assert hidden == []
