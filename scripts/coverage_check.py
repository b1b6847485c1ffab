"""Compare per-package line coverage with the targets in pyproject.toml.

Below a target: a warning until the enforcement date in ``[tool.workdatahub.coverage]``,
a failure (exit 1) from that date on. Reads ``coverage.json`` (``coverage json``).
``--update-readme`` also rewrites the coverage line of README.md from these numbers.
"""

from __future__ import annotations

import json
import re
import sys
import tomllib
from datetime import date
from pathlib import Path


def package_of(path: str, prefixes: dict[str, str]) -> str | None:
    """Return the coverage target name whose source folder contains ``path``."""
    normalised = path.replace("\\", "/")
    for name, folder in prefixes.items():
        if f"/{folder}/" in f"/{normalised}":
            return name
    return None


README_LINE = re.compile(r"(<!-- coverage -->).*?(<!-- /coverage -->)", re.DOTALL)


def update_readme(percents: dict[str, float]) -> None:
    """Replace the text between README's coverage markers with today's per-package numbers."""
    readme = Path("README.md")
    summary = ", ".join(f"{name} {percent:.1f}%" for name, percent in percents.items())
    line = f"Coverage of the last full run ({date.today().isoformat()}): {summary}."
    text, count = README_LINE.subn(lambda m: f"{m.group(1)}{line}{m.group(2)}", readme.read_text())
    if count != 1:
        raise SystemExit("README.md needs exactly one <!-- coverage --> … <!-- /coverage --> pair")
    readme.write_text(text)


def main() -> int:
    """Print coverage per target and return the exit code."""
    config = tomllib.loads(Path("pyproject.toml").read_text())["tool"]["workdatahub"]["coverage"]
    targets: dict[str, float] = config["targets"]
    folders: dict[str, str] = config["folders"]
    enforce_after = date.fromisoformat(config["enforce_after"])
    files = json.loads(Path("coverage.json").read_text())["files"]
    covered: dict[str, list[int]] = {name: [0, 0] for name in targets}
    for path, data in files.items():
        name = package_of(path, folders)
        if name is None:
            continue
        covered[name][0] += data["summary"]["covered_lines"]
        covered[name][1] += data["summary"]["num_statements"]
    enforcing = date.today() >= enforce_after
    failed = False
    percents: dict[str, float] = {}
    for name, target in targets.items():
        hit, total = covered[name]
        percent = 100.0 * hit / total if total else 0.0
        percents[name] = percent
        verdict = "ok" if percent > target else ("FAIL" if enforcing else "WARNING")
        failed |= verdict == "FAIL"
        print(f"coverage {name}: {percent:.1f}% (target > {target:.0f}%) {verdict}")
    if not enforcing:
        print(f"coverage targets are warnings until {enforce_after.isoformat()}, failures after")
    if "--update-readme" in sys.argv[1:]:
        update_readme(percents)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
