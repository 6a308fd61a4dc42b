"""What a workspace declares: dependencies and console scripts, from every usual file."""

from __future__ import annotations

from agents.packaging import import_names, read_declarations
from tests.conftest import make_workspace


def test_pyproject_setup_cfg_setup_py_and_requirements_are_all_read(tmp_path):
    root = make_workspace(
        tmp_path,
        "w",
        {
            "pyproject.toml": (
                '[project]\ndependencies = ["Requests>=2", "python"]\n'
                '[project.optional-dependencies]\nyaml = ["PyYAML"]\n'
                '[project.scripts]\ntool = "pkg.cli:main"\n'
                '[dependency-groups]\ndev = ["pytest"]\n'
            ),
            "setup.cfg": (
                "[options]\ninstall_requires =\n    attrs>=20\n"
                "[options.entry_points]\nconsole_scripts =\n    other = pkg.other:run\n"
            ),
            "setup.py": "from setuptools import setup\nsetup(install_requires=['click'])\n",
            "requirements.txt": "# pinned\nrequests==2.31\n-r base.txt\nbeautifulsoup4\n",
        },
    )
    found = read_declarations(root, 100_000)
    deps = {d["name"]: (d["source"], d["group"]) for d in found["dependencies"]}
    assert deps == {
        "Requests": ("pyproject.toml", None),
        "PyYAML": ("pyproject.toml", "yaml"),
        "pytest": ("pyproject.toml", "dev"),
        "attrs": ("setup.cfg", None),
        "click": ("setup.py", None),
        "beautifulsoup4": ("requirements.txt", None),
    }
    assert [(s["name"], s["target"]) for s in found["scripts"]] == [
        ("tool", "pkg.cli:main"),
        ("other", "pkg.other:run"),
    ]
    assert found["files"] == ["pyproject.toml", "setup.cfg", "setup.py", "requirements.txt"]


def test_a_file_that_does_not_parse_is_passed_over(tmp_path):
    root = make_workspace(tmp_path, "w", {"pyproject.toml": "[project\n", "setup.py": "def (:"})
    assert read_declarations(root, 100_000) == {"dependencies": [], "scripts": [], "files": []}


def test_distributions_are_matched_to_the_names_they_are_imported_by():
    assert "yaml" in import_names("PyYAML")
    assert "bs4" in import_names("beautifulsoup4")
    assert "dj_database_url" in import_names("dj-database-url")
    assert "django" in import_names("Django")
