"""What a file is for, judged by its path: so byte and line totals say something.

Seven kinds: Python (source that is not a test), tests, docs, translations, data, configuration,
other. A test is a file under a ``tests`` or ``test`` folder or named like a test
module; translations are gettext catalogs (and anything under ``locale``/``locales``); the rest
go by extension and a few well-known names.
"""

from __future__ import annotations

from pathlib import PurePosixPath

KINDS = ("Python", "tests", "docs", "translations", "data", "configuration", "other")

_TEST_FOLDERS = frozenset({"tests", "test"})
_TRANSLATION_SUFFIXES = frozenset({".po", ".mo", ".pot"})
_TRANSLATION_FOLDERS = frozenset({"locale", "locales"})
_DOC_SUFFIXES = frozenset({".md", ".rst", ".txt", ".adoc", ".tex"})
_DOC_NAMES = ("readme", "license", "licence", "changelog", "changes", "authors", "contributing")
_CONFIG_SUFFIXES = frozenset(
    {".toml", ".cfg", ".ini", ".yaml", ".yml", ".conf", ".env", ".lock", ".editorconfig"}
)
_CONFIG_NAMES = frozenset(
    {
        "makefile",
        "dockerfile",
        "manifest.in",
        "py.typed",
        ".gitignore",
        ".gitattributes",
        ".dockerignore",
        ".pre-commit-config.yaml",
    }
)
_DATA_SUFFIXES = frozenset(
    {
        ".csv",
        ".tsv",
        ".json",
        ".jsonl",
        ".xml",
        ".sql",
        ".db",
        ".sqlite3",
        ".parquet",
        ".pickle",
        ".pkl",
        ".npy",
        ".geojson",
        ".png",
        ".jpg",
        ".jpeg",
        ".gif",
        ".svg",
        ".ico",
        ".webp",
        ".woff",
        ".woff2",
        ".ttf",
        ".eot",
        ".otf",
    }
)


def is_test(path: str) -> bool:
    """Return True for a test file: under a tests folder, or named like a test module."""
    pure = PurePosixPath(path)
    if any(part in _TEST_FOLDERS for part in pure.parts[:-1]):
        return True
    name = pure.name
    return pure.suffix == ".py" and (
        name.startswith("test_") or name.endswith("_test.py") or name == "conftest.py"
    )


def kind_of(path: str) -> str:
    """Return which of `KINDS` the file at `path` (POSIX, relative) is."""
    pure = PurePosixPath(path)
    suffix = pure.suffix.lower()
    name = pure.name.lower()
    if is_test(path):
        return "tests"
    if suffix in {".py", ".pyi"}:
        return "Python"
    if suffix in _TRANSLATION_SUFFIXES or any(p in _TRANSLATION_FOLDERS for p in pure.parts[:-1]):
        return "translations"
    if name.startswith("requirements") and suffix in {".txt", ".in"}:
        return "configuration"
    if suffix in _CONFIG_SUFFIXES or name in _CONFIG_NAMES:
        return "configuration"
    if suffix in _DOC_SUFFIXES or name.startswith(_DOC_NAMES) or "docs" in pure.parts[:-1]:
        return "docs"
    if suffix in _DATA_SUFFIXES:
        return "data"
    return "other"
