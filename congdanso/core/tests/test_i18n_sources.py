"""Every message the code and the templates mark for translation is in the Vietnamese catalog,
translated.

The dashboard's column headings once reached the Vietnamese page in English: they were marked
with `gettext_lazy` imported under a name `makemessages` does not know (`_lazy`), so they never
reached the catalog. These tests read the sources as `makemessages` should — every call of a
`django.utils.translation` function whatever its local name, every `{% translate %}` and
`{% blocktranslate %}` — and look each message up in the catalog. They also refuse a plain
`gettext` run at import time (in a module's or a class's body): it translates once, in the
language of whoever imported it first.
"""

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import polib
import pytest
from django.utils.translation.template import templatize

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "vi" / "LC_MESSAGES" / "django.po"

#: django.utils.translation's functions → the positions of (context, singular, plural).
MARKERS: dict[str, tuple[int | None, int, int | None]] = {
    "gettext": (None, 0, None),
    "gettext_lazy": (None, 0, None),
    "gettext_noop": (None, 0, None),
    "ngettext": (None, 0, 1),
    "ngettext_lazy": (None, 0, 1),
    "pgettext": (0, 1, None),
    "pgettext_lazy": (0, 1, None),
    "npgettext": (0, 1, 2),
    "npgettext_lazy": (0, 1, 2),
}
#: The ones that translate when called: at import time, in the importer's language.
EAGER = {"gettext", "ngettext", "pgettext", "npgettext"}
STRING = r"u'(?:[^'\\]|\\.)*'"
TEMPLATE_CALL = re.compile(rf"\b(n?p?gettext)\(({STRING}(?:\s*,\s*{STRING})*)")


def _sources(suffix: str) -> Iterator[Path]:
    for path in sorted(ROOT.rglob(f"*{suffix}")):
        parts = path.relative_to(ROOT).parts
        if "tests" in parts or "migrations" in parts or "locale" in parts:
            continue
        yield path


def _catalog() -> dict[tuple[str | None, str], str]:
    po = polib.pofile(str(PO))
    found = {}
    for entry in po:
        if "fuzzy" in entry.flags:
            continue
        text = entry.msgstr_plural.get(0, "") if entry.msgid_plural else entry.msgstr
        found[(entry.msgctxt, entry.msgid)] = text
    return found


def _translation_names(tree: ast.Module) -> tuple[dict[str, str], set[str]]:
    """Local name → function of django.utils.translation, and the names of the module."""
    functions, modules = {}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "django.utils.translation":
            for alias in node.names:
                if alias.name in MARKERS:
                    functions[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.ImportFrom) and node.module == "django.utils":
            modules |= {a.asname or a.name for a in node.names if a.name == "translation"}
    return functions, modules


def _marker(call: ast.Call, functions: dict[str, str], modules: set[str]) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        return functions.get(func.id)
    if (
        isinstance(func, ast.Attribute)
        and isinstance(func.value, ast.Name)
        and func.value.id in modules
        and func.attr in MARKERS
    ):
        return func.attr
    return None


def _literal(call: ast.Call, position: int | None) -> str | None:
    if position is None or position >= len(call.args):
        return None
    arg = call.args[position]
    return arg.value if isinstance(arg, ast.Constant) and isinstance(arg.value, str) else None


def _python_messages() -> Iterator[tuple[str, str | None, str]]:
    for path in _sources(".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions, modules = _translation_names(tree)
        if not functions and not modules:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (name := _marker(node, functions, modules)):
                context, singular, _plural = MARKERS[name]
                msgid = _literal(node, singular)
                if msgid:
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    yield where, _literal(node, context), msgid


def _template_messages() -> Iterator[tuple[str, str | None, str]]:
    for path in _sources(".html"):
        text = templatize(path.read_text(encoding="utf-8"), origin=str(path))
        for match in TEMPLATE_CALL.finditer(text):
            args = ast.literal_eval(f"({match.group(2)},)")
            has_context = match.group(1).startswith(("pgettext", "npgettext"))
            context, msgid = (args[0], args[1]) if has_context else (None, args[0])
            yield str(path.relative_to(ROOT)), context, msgid


@pytest.mark.parametrize("read", [_python_messages, _template_messages])
def test_every_marked_message_has_a_vietnamese_translation(read) -> None:  # type: ignore[no-untyped-def]
    catalog = _catalog()

    missing = sorted(
        f"{where}: {msgid!r}"
        for where, context, msgid in read()
        if not catalog.get((context, msgid))
    )

    assert missing == [], "run makemessages and translate:\n" + "\n".join(missing)


def test_the_python_reader_finds_messages_under_any_name() -> None:
    found = {msgid for where, _context, msgid in _python_messages() if "dashboard" in where}

    assert {"Exemplary in the cohort", "Still needed"} <= found


def test_the_template_reader_finds_translate_and_blocktranslate() -> None:
    found = {msgid for _where, _context, msgid in _template_messages()}

    assert {"Coverage per criterion", "%(share)s of the target", "Sort by:"} <= found


def _eager_at_import(tree: ast.Module, functions: dict[str, str]) -> Iterator[int]:
    """Lines where a module's or a class's body calls a translating function."""
    eager = {local for local, name in functions.items() if name in EAGER}
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            continue  # runs when called, in the language of the request
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in eager:
            yield node.lineno
        pending.extend(ast.iter_child_nodes(node))


def test_no_message_is_translated_at_import_time() -> None:
    found = []
    for path in _sources(".py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        functions, _modules = _translation_names(tree)
        found += [f"{path.relative_to(ROOT)}:{line}" for line in _eager_at_import(tree, functions)]

    assert found == [], "use gettext_lazy outside functions"
