"""Which public functions of `portal/*/services.py` write, and which of them record a history
line (call `log_action` or `audit_record`, directly or through a function they call).

Read from the source (an AST walk), so a new services module or function is covered without
being listed: `tests/test_audit.py` asserts the rule over what this finds.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Calls that change stored data: the ORM's writes, and files saved or deleted.
WRITE_METHODS = frozenset(
    {
        "create",
        "save",
        "delete",
        "update",
        "bulk_create",
        "bulk_update",
        "get_or_create",
        "update_or_create",
        "create_user",
        "set_password",
        "set_unusable_password",
    }
)
LOG_FUNCTIONS = frozenset({"log_action", "audit_record"})


@dataclass
class Function:
    module: str
    name: str
    line: int
    writes: bool = False
    logs: bool = False
    calls: set[tuple[str, str]] = field(default_factory=set)

    @property
    def key(self) -> str:
        return f"{self.module}.{self.name}"


def services_modules() -> dict[str, Path]:
    return {f"portal.{path.parent.name}.services": path for path in sorted((ROOT / "portal").glob("*/services.py"))}


def _is_services(module: str | None) -> bool:
    return bool(module) and module.startswith("portal.") and module.endswith(".services")


def _local_containers(function: ast.FunctionDef) -> set[str]:
    """Names bound to a set or dict in the function: their `.update()` writes nothing stored."""
    makers = (ast.Set, ast.Dict, ast.SetComp, ast.DictComp)
    names = set()
    for node in ast.walk(function):
        value = getattr(node, "value", None)
        if isinstance(node, ast.Assign | ast.AnnAssign) and value is not None:
            made = isinstance(value, makers) or (
                isinstance(value, ast.Call)
                and isinstance(value.func, ast.Name)
                and value.func.id in {"set", "dict", "frozenset"}
            )
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if made:
                names.update(t.id for t in targets if isinstance(t, ast.Name))
    return names


def analyse() -> dict[str, Function]:
    """Every top-level function of every services module, with `writes` and `logs` followed
    through the calls to other functions of the services modules."""
    functions: dict[str, Function] = {}
    for module, path in services_modules().items():
        tree = ast.parse(path.read_text(), filename=str(path))
        # names imported from services modules anywhere in the file: alias -> (module, name)
        names: dict[str, tuple[str, str]] = {}
        modules: dict[str, str] = {}  # alias -> services module
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    if _is_services(node.module):
                        names[alias.asname or alias.name] = (node.module, alias.name)
                    elif _is_services(f"{node.module}.{alias.name}"):
                        modules[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if _is_services(alias.name) and alias.asname:
                        modules[alias.asname] = alias.name
        local = {n.name for n in tree.body if isinstance(n, ast.FunctionDef)}
        for node in tree.body:
            if not isinstance(node, ast.FunctionDef):
                continue
            function = Function(module, node.name, node.lineno)
            containers = _local_containers(node)
            for call in ast.walk(node):
                if not isinstance(call, ast.Call):
                    continue
                target = call.func
                if isinstance(target, ast.Name):
                    if target.id in LOG_FUNCTIONS:
                        function.logs = True
                    elif target.id in local:
                        function.calls.add((module, target.id))
                    elif target.id in names:
                        function.calls.add(names[target.id])
                elif isinstance(target, ast.Attribute):
                    if target.attr in LOG_FUNCTIONS:
                        function.logs = True
                    elif isinstance(target.value, ast.Name) and target.value.id in modules:
                        function.calls.add((modules[target.value.id], target.attr))
                    elif target.attr in WRITE_METHODS and not (
                        isinstance(target.value, ast.Name) and target.value.id in containers
                    ):
                        function.writes = True
            functions[function.key] = function
    changed = True
    while changed:  # follow the calls until nothing changes
        changed = False
        for function in functions.values():
            for module, name in function.calls:
                callee = functions.get(f"{module}.{name}")
                if callee is None:
                    continue
                if callee.writes and not function.writes:
                    function.writes = changed = True
                if callee.logs and not function.logs:
                    function.logs = changed = True
    return functions


def public_writes() -> list[Function]:
    return [f for f in analyse().values() if f.writes and not f.name.startswith("_")]
