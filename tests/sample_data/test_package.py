"""sample_data's shape: a small public surface over private modules of one concern each (issue #11)."""

from __future__ import annotations

import importlib
import re
from pathlib import Path

import sample_data

PACKAGE = Path(sample_data.__file__).parent
ROOT = PACKAGE.parent
PUBLIC_MODULES = {"__init__", "make_office"}


def test_the_public_names_are_importable_from_the_package():
    assert set(sample_data.__all__) == {"Office", "generate_office", "MASTER_COLUMNS", "BankWorld", "sample_requests", "TRUTH_KINDS"}
    for name in sample_data.__all__:
        assert getattr(sample_data, name) is not None, name


def test_every_other_module_is_private_small_and_says_what_it_exports():
    modules = sorted(p.stem for p in PACKAGE.glob("*.py"))
    assert set(modules) >= PUBLIC_MODULES | {"_office", "_banks", "_basic", "_history", "_files"}
    for stem in modules:
        path = PACKAGE / f"{stem}.py"
        lines = len(path.read_text(encoding="utf-8").splitlines())
        assert lines <= 400, f"{path.name}: {lines} lines"
        if stem in PUBLIC_MODULES:
            continue
        assert stem.startswith("_"), f"{path.name} is neither private nor one of the public modules {sorted(PUBLIC_MODULES)}"
        module = importlib.import_module(f"sample_data.{stem}")
        assert module.__doc__, f"{path.name} has no docstring saying why it exists"
        assert all(hasattr(module, name) for name in module.__all__), path.name


def test_nothing_outside_sample_data_imports_its_private_modules():
    private = re.compile(r"(from|import)\s+sample_data\._|from\s+sample_data\s+import\s+[^\n]*\b_[a-z]")
    offenders = []
    for folder in ("inquiry", "formats", "matching", "benchmarks", "tests", "docs"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in (".py", ".md") and private.search(path.read_text(encoding="utf-8")):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
