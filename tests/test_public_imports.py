"""Packages talk to each other through public names only (issue #11).

A module whose name starts with ``_`` (``formats._text``, ``matching._variants``)
and a name that starts with ``_`` are a package's own business: another
package that imports them breaks when the owner reorganises. This reads the
imports of every module (``ast``, nothing is imported) and refuses any that
reach into another package's private module or name. A test folder
``tests/<package>/`` belongs to that package (it may test its internals).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("inquiry", "formats", "matching", "sample_data", "benchmarks")
#: file → why it may reach in: kept short, each with its reason
ALLOWED: dict[str, str] = {}


def _owner(path: Path, root: Path) -> str:
    parts = path.relative_to(root).parts
    return parts[1] if parts[0] == "tests" and len(parts) > 2 else parts[0]


def _private(dotted: str) -> bool:
    return any(p.startswith("_") and not (p.startswith("__") and p.endswith("__")) for p in dotted.split("."))


def _reaches_in(path: Path, root: Path = ROOT) -> list[str]:
    """``line: import`` of each import of another first-party package's private module or name."""
    owner, name, found = _owner(path, root), path.relative_to(root).as_posix(), []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        for target in targets:
            top = target.split(".")[0]
            if top in PACKAGES and top != owner and ALLOWED.get(name) != top and _private(target):
                found.append(f"{name}:{node.lineno}: {target}")
    return found


def test_no_module_imports_another_packages_private_names() -> None:
    files = [p for folder in (*PACKAGES, "tests") for p in sorted((ROOT / folder).rglob("*.py"))]
    assert len(files) > 100
    offenders = [line for path in files for line in _reaches_in(path)]
    assert offenders == [], "\n".join(offenders)


def test_the_check_sees_a_private_import(tmp_path: Path) -> None:
    """The check itself: the very import issue #11 found in ``inquiry`` is caught."""
    (tmp_path / "inquiry").mkdir()
    bad = tmp_path / "inquiry" / "x.py"
    bad.write_text("from formats._text import rejects_frame\nfrom formats import rejects_frame\nimport matching._variants\n", encoding="utf-8")
    expected = ["inquiry/x.py:1: formats._text", "inquiry/x.py:1: formats._text.rejects_frame", "inquiry/x.py:3: matching._variants"]
    assert _reaches_in(bad, tmp_path) == expected
