"""Every text shown to people, by key, per language; the texts live in `labels/<lang>/*.yml`.

A new language is a new folder of YAML files, not code. Keys are dotted paths into the YAML
(`composition.age_pyramid.title`); code values are under `codes.<column>.<code>`.
"""

from __future__ import annotations

from functools import lru_cache

import yaml

from analysis.config import LABELS_DIR
from analysis.errors import ParameterError

DEFAULT_LANGUAGE = "vi"


def languages() -> list[str]:
    """Languages with a label folder, e.g. ``["en", "vi"]``."""
    return sorted(p.name for p in LABELS_DIR.iterdir() if p.is_dir())


def _flatten(tree: dict, prefix: str = "") -> dict[str, str]:
    flat: dict[str, str] = {}
    for key, value in tree.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            flat.update(_flatten(value, path + "."))
        else:
            flat[path] = str(value)
    return flat


@lru_cache(maxsize=None)
def _texts(language: str) -> dict[str, str]:
    folder = LABELS_DIR / language
    if not folder.is_dir():
        raise ParameterError(
            f"Không có nhãn cho ngôn ngữ '{language}' / no labels for language '{language}' "
            f"(available: {', '.join(languages())})"
        )
    texts: dict[str, str] = {}
    for path in sorted(folder.glob("*.yml")):
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for key, value in _flatten(loaded).items():
            if key in texts:
                raise ParameterError(f"label key '{key}' defined twice in {folder}")
            texts[key] = value
    return texts


def text(key: str, language: str = DEFAULT_LANGUAGE, **values: object) -> str:
    """The text for ``key`` in ``language``, formatted with ``values``.

    Falls back to Vietnamese, then to the key itself, so a missing translation shows up as a
    readable key rather than an exception in the middle of a meeting.
    """
    template = _texts(language).get(key)
    if template is None and language != DEFAULT_LANGUAGE:
        template = _texts(DEFAULT_LANGUAGE).get(key)
    if template is None:
        template = key
    return template.format(**values) if values else template


def code_label(column: str, code: object, language: str = DEFAULT_LANGUAGE) -> str:
    """Display form of a canonical code, e.g. ``code_label("gender", "female") == "Nữ"``."""
    if code is None or code != code:  # None or NaN/NA
        return text("codes.missing", language)
    key = f"codes.{column}.{code}"
    found = _texts(language).get(key) or _texts(DEFAULT_LANGUAGE).get(key)
    return found if found is not None else str(code)


def format_date(value, language: str = DEFAULT_LANGUAGE) -> str:
    """A reference date as people read it: 25/05/2022 (vi), 2022-05-25 (en)."""
    if value is None:
        return ""
    if language == "vi":
        return value.strftime("%d/%m/%Y")
    return value.isoformat()


def report_title(report: str, language: str = DEFAULT_LANGUAGE) -> str:
    """Display name of a report (label ``report.names.<report>``), the report's name otherwise."""
    key = f"report.names.{report}"
    found = text(key, language)
    return report if found == key else found


class Labels:
    """Bound to one language, for notebooks: ``L = Labels("vi"); L("composition.title")``."""

    def __init__(self, language: str = DEFAULT_LANGUAGE):
        _texts(language)  # fail early on an unknown language
        self.language = language

    def __call__(self, key: str, **values: object) -> str:
        return text(key, self.language, **values)

    def code(self, column: str, code: object) -> str:
        return code_label(column, code, self.language)
