"""The bad-input corpus and its generator, ``scripts/make_bad_files.py``, loaded as a module.

The generator's clean sheet (``clean_sheet()``, 50 rows that all load) also serves the other
reliability tests as a small, valid 规模明细 workbook.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[3]
CORPUS = ROOT / "tests" / "data" / "bad"
GENERATOR = ROOT / "scripts" / "make_bad_files.py"


def _load_generator() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_bad_files", GENERATOR)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load {GENERATOR}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


generator = _load_generator()
