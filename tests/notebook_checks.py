"""Reading a report notebook's code and a built page, for the notebook tests (test_notebook_*.py).

Not a test module: the notebook itself comes from the fixtures of conftest.py (`notebook`,
`notebook_code`, `notebook_parameters`); these helpers look inside it and inside built pages.
"""

from __future__ import annotations

import ast
import importlib
import re

from analysis.render import external_resources

# Shown in no report: the notebook's own code (its first call, imports, output calls).
NOTEBOOK_CODE = ("start_report(", "from analysis", "ctx.show")


def code_attributes(code: str, owner: str) -> set[str]:
    """Names used as ``owner.<name>`` in ``code``."""
    return {n.attr for n in ast.walk(ast.parse(code))
            if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name) and n.value.id == owner}


def _module(name: str):
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        return None


def imported_modules(code: str) -> dict[str, str]:
    """The `analysis` modules ``code`` imports, by the name it gives them (``comp`` → ``analysis.composition``).

    Fails on an import of something that does not exist.
    """
    found: dict[str, str] = {}
    for node in ast.walk(ast.parse(code)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("analysis"):
                    assert _module(alias.name), alias.name
                    found[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("analysis"):
            parent = importlib.import_module(node.module)
            for alias in node.names:
                full = f"{node.module}.{alias.name}"
                if _module(full):
                    found[alias.asname or alias.name] = full
                else:  # a function or constant, such as `from analysis.report import start_report`
                    assert hasattr(parent, alias.name), full
    return found


def label_keys(code: str) -> set[str]:
    """Label keys the notebook looks up through its ``L("…")`` labels."""
    return set(re.findall(r'L\("([a-z_.]+)"', code))


def assert_offline_without_code(page: str, *code: str) -> None:
    """``page`` fetches nothing from the network and shows no notebook code (nor any of ``code``)."""
    assert external_resources(page) == []
    assert 'src="https://cdn.plot.ly' not in page
    assert not re.search(r"<(script|link)[^>]+(src|href)=[\"']https?:", page)
    markup = re.sub(r"(<script\b[^>]*>).*?</script>", r"\1</script>", page, flags=re.S)  # tags, not code
    assert not re.search(r"""(?:src|href)\s*=\s*["']?(?:https?:)?//""", markup)
    for text in (*NOTEBOOK_CODE, *code):
        assert text not in page, text
