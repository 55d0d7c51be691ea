"""The layers of docs/architecture.md hold: core imports no app, org imports only core, domain
apps never import reports, and no app imports another in a cycle (function-local imports
included, so none can hide one). No view, API view, serializer or form decides a role itself."""

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent
APPS = [
    "core",
    "org",
    "accountability",
    "oversight",
    "performance",
    "risk",
    "governance",
    "reports",
    "signon",
    "operations",
]
DOMAIN = ["accountability", "oversight", "performance", "risk", "governance"]


def _modules(app: str):
    for path in (ROOT / app).rglob("*.py"):
        if "migrations" in path.parts or "tests" in path.parts:
            continue
        yield path


def _imported_apps(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
        elif isinstance(node, ast.Import):
            found.update(alias.name.split(".")[0] for alias in node.names)
    return found & set(APPS)


def _graph() -> dict[str, set[str]]:
    graph = {}
    for app in APPS:
        deps = set()
        for path in _modules(app):
            deps |= _imported_apps(path)
        graph[app] = deps - {app}
    return graph


def test_core_imports_no_app():
    assert _graph()["core"] == set()


def test_org_imports_only_core():
    assert _graph()["org"] <= {"core"}


@pytest.mark.parametrize("app", DOMAIN)
def test_domain_apps_never_import_reports(app):
    assert "reports" not in _graph()[app]


def test_no_cycle_between_apps():
    graph = _graph()
    visiting, done = set(), set()

    def visit(app, trail):
        if app in done:
            return
        assert app not in visiting, f"import cycle: {' -> '.join([*trail, app])}"
        visiting.add(app)
        for dep in sorted(graph[app]):
            visit(dep, [*trail, app])
        visiting.discard(app)
        done.add(app)

    for app in APPS:
        visit(app, [])


ADAPTER_FILES = ["views.py", "forms.py", "api/views.py", "api/serializers.py"]


@pytest.mark.parametrize("app", DOMAIN + ["reports"])
def test_no_role_check_in_views_forms_or_serializers(app):
    offenders = []
    for name in ADAPTER_FILES:
        path = ROOT / app / name
        if path.exists() and "access_for(" in path.read_text(encoding="utf-8"):
            offenders.append(str(path.relative_to(ROOT)))
    assert offenders == [], "role checks belong in the app's policies: " + ", ".join(offenders)
