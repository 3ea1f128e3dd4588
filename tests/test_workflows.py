"""The GitHub workflows users get: valid YAML, every command a nox session, the matrix from the registry."""

from __future__ import annotations

import ast
import re

import yaml

from guidetools.cli import main

from .conftest import REPO

WORKFLOWS = sorted((REPO / ".github" / "workflows").glob("*.yml"))


def nox_sessions() -> set[str]:
    """The session names defined in noxfile.py (functions decorated with @nox.session)."""
    tree = ast.parse((REPO / "noxfile.py").read_text(encoding="utf-8"))
    names = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            for decorator in node.decorator_list:
                target = decorator.func if isinstance(decorator, ast.Call) else decorator
                if ast.unparse(target) == "nox.session":
                    names.add(node.name)
    return names


def run_steps(workflow: dict) -> list[str]:
    return [step["run"] for job in workflow["jobs"].values() for step in job.get("steps", []) if "run" in step]


def test_workflows_parse_and_call_only_existing_nox_sessions() -> None:
    assert {path.name for path in WORKFLOWS} >= {"ci.yml", "release.yml"}
    sessions = nox_sessions()
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert workflow["jobs"], path
        used = [m for run in run_steps(workflow) for m in re.findall(r"\bnox -s ([\w-]+)", run)]
        assert used, path
        assert set(used) <= sessions, (path.name, set(used) - sessions)


def test_language_matrix_comes_from_the_registry(capsys) -> None:
    for path in WORKFLOWS:
        workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
        for job in workflow["jobs"].values():
            matrix = job.get("strategy", {}).get("matrix")
            if matrix is not None:
                # No language list is written into a workflow: it is computed by the first job.
                assert matrix == "${{ fromJSON(needs.languages.outputs.matrix) }}", path.name
    assert main(["--root", str(REPO), "languages", "--format", "github-matrix"]) == 0
    assert capsys.readouterr().out.strip() == 'matrix={"lang":["en","es","fr","ru","ar"]}'
