"""Shared fixtures. Keep this file small: fixtures used by one test module belong in that module."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def make_dataset(tmp_path):
    """Write a folder dataset from CSV texts: ``make_dataset({"people": "person_id,…\\n…"})``.

    Tables are written as UTF-8 with BOM (as Excel saves "CSV UTF-8"); ``meta`` overrides keys of
    a valid dataset.yml (a value of None removes the key); ``mapping`` becomes mapping.yml.
    Returns the folder.
    """
    counter = iter(range(1000))

    def make(tables: dict[str, str], meta: dict | None = None, mapping: dict | None = None) -> Path:
        folder = tmp_path / f"ds{next(counter)}"
        folder.mkdir()
        doc = {"id": "test-ds", "name": "Bộ thử", "level": "district", "regime": "qd50",
               "as_of": "2022-05-25", "tables": {t: f"{t}.csv" for t in tables}}
        if mapping is not None:
            (folder / "mapping.yml").write_text(yaml.safe_dump(mapping, allow_unicode=True), encoding="utf-8")
            doc["mapping"] = "mapping.yml"
        for key, value in (meta or {}).items():
            if value is None:
                doc.pop(key, None)
            else:
                doc[key] = value
        for table, text in tables.items():
            (folder / f"{table}.csv").write_text(text, encoding="utf-8-sig")
        (folder / "dataset.yml").write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False),
                                            encoding="utf-8")
        return folder

    return make
