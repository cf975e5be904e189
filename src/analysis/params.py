"""Validating and converting notebook parameters.

papermill injects whatever it is given, untyped and unchecked; a report converts every parameter
here first, so a wrong one stops the report at once with a message in both languages instead of a
traceback halfway down.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from analysis import labels
from analysis.errors import ParameterError

DATE_PATTERN = re.compile(r"^\d{4}-\d{2}-\d{2}$")
NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*$")
_TRUE = {"true", "yes", "1", "có", "co", "y"}
_FALSE = {"false", "no", "0", "không", "khong", "n"}
_KIND_NAMES = {
    str: ("chuỗi ký tự", "text"),
    int: ("số nguyên", "integer"),
    float: ("số", "number"),
    bool: ("đúng/sai", "true/false"),
    dt.date: ("ngày yyyy-mm-dd", "date yyyy-mm-dd"),
    Path: ("đường dẫn", "path"),
}


def _error(name: str, vi: str, en: str, value: Any = None, show_value: bool = True) -> ParameterError:
    got = f" (giá trị/value {value!r})" if show_value else ""
    return ParameterError(f"Tham số '{name}': {vi} / parameter '{name}': {en}{got}")


def require_str(name: str, value: Any, allow_empty: bool = True) -> str:
    """``value`` as a stripped string; a non-string (or an empty one when not allowed) is an error."""
    if value is None:
        value = ""
    if not isinstance(value, (str, Path)):
        raise _error(name, "phải là chuỗi ký tự", "must be text", value)
    text = str(value).strip()
    if not text and not allow_empty:
        raise _error(name, "không được để trống", "must not be empty", value)
    return text


def parse_date(name: str, value: Any, allow_empty: bool = True) -> dt.date | None:
    """A date from ``yyyy-mm-dd`` text (or a date object); ``""``/None gives None when allowed."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = require_str(name, value, allow_empty=allow_empty)
    if not text:
        return None
    if not DATE_PATTERN.match(text):
        raise _error(name, "phải là ngày dạng yyyy-mm-dd, ví dụ 2022-05-25",
                     "must be a date as yyyy-mm-dd, e.g. 2022-05-25", value)
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise _error(name, "ngày không tồn tại", "no such date", value) from None


def check_language(value: Any, name: str = "language") -> str:
    """A language code that has labels (``labels.languages()``)."""
    available = labels.languages()
    text = value.strip().lower() if isinstance(value, str) else None
    if text not in available:
        raise _error(name, f"ngôn ngữ phải là một trong {', '.join(available)}",
                     f"language must be one of {', '.join(available)}", value)
    return text


def check_path(name: str, value: Any, must_exist: bool = True, base: Path | None = None) -> Path:
    """An absolute path (relative ones are taken from ``base``, default the working directory)."""
    text = require_str(name, value, allow_empty=False)
    path = Path(text).expanduser()
    if not path.is_absolute():
        path = (base or Path.cwd()) / path
    path = path.resolve()
    if must_exist and not path.exists():
        raise _error(name, f"không tìm thấy '{path}'", f"'{path}' does not exist", value)
    return path


def check_output_dir(value: Any, name: str = "output_dir") -> Path | None:
    """The folder for a report's tables, or None when ``value`` is empty (no files written)."""
    text = require_str(name, value)
    if not text:
        return None
    path = check_path(name, text, must_exist=False)
    if path.exists() and not path.is_dir():
        raise _error(name, "đã có một tệp cùng tên, không phải thư mục",
                     "exists and is not a folder", value)
    return path


def check_name(value: Any, name: str = "report") -> str:
    """A file-safe name: letters, digits, ``-`` and ``_`` (report names, table names)."""
    text = require_str(name, value, allow_empty=False)
    if not NAME_PATTERN.match(text):
        raise _error(name, "chỉ gồm chữ cái không dấu, chữ số, '-' và '_'",
                     "may contain only ASCII letters, digits, '-' and '_'", value)
    return text


def _convert(name: str, value: Any, kind: type) -> Any:
    label_vi, label_en = _KIND_NAMES.get(kind, (kind.__name__, kind.__name__))
    wrong = _error(name, f"phải là {label_vi}", f"must be {label_en}", value)
    if kind is str:
        return require_str(name, value)
    if kind is dt.date:
        return parse_date(name, value)
    if kind is Path:
        return check_path(name, value)
    if kind is bool:
        if isinstance(value, bool):
            return value
        if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
            return value.strip().lower() in _TRUE
        raise wrong
    if kind is int:
        if isinstance(value, bool):
            raise wrong
        if isinstance(value, int):
            return value
        if isinstance(value, float) and value.is_integer():
            return int(value)
        if isinstance(value, str) and re.fullmatch(r"\s*[+-]?\d+\s*", value):
            return int(value)
        raise wrong
    if kind is float:
        if isinstance(value, bool):
            raise wrong
        if isinstance(value, (int, float)):
            return float(value)
        if isinstance(value, str):
            try:
                return float(value.strip().replace(",", "."))
            except ValueError:
                raise wrong from None
        raise wrong
    raise ParameterError(f"unsupported parameter kind {kind!r} for '{name}'")


def convert(name: str, value: Any, kind: type = str, choices: Iterable[Any] | None = None,
            default: Any = None) -> Any:
    """Validate and convert one parameter.

    ``kind`` is one of str, int, float, bool, datetime.date, pathlib.Path. An empty value (None or
    blank text) gives ``default``. ``choices`` restricts the converted value.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return default
    converted = _convert(name, value, kind)
    if choices is not None:
        allowed = list(choices)
        if converted not in allowed:
            shown = ", ".join(str(c) for c in allowed)
            raise _error(name, f"phải là một trong: {shown}", f"must be one of: {shown}", value)
    return converted
