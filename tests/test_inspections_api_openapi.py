"""docs/openapi.yaml lists every API route and nothing else, and real answers fit its schemas."""

from __future__ import annotations

import io
import re
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from dudao.config import PROJECT_ROOT
from tests.conftest import sign_in
from tests.inspection_world import PASSING, jpeg, payload, world  # noqa: F401

SPEC_PATH = PROJECT_ROOT / "docs" / "openapi.yaml"
METHODS = {"get", "put", "post", "delete", "patch"}


@pytest.fixture(scope="module")
def spec() -> dict[str, Any]:
    return yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule)


def test_every_route_is_documented_and_nothing_else(app, spec):
    routes = {
        (_openapi_path(rule.rule), method.lower()): rule.endpoint.split(".", 1)[1]
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("inspections_api.")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    documented = {
        (path, method): operation.get("operationId")
        for path, item in spec["paths"].items()
        for method, operation in item.items()
        if method in METHODS
    }
    assert sorted(set(routes) - set(documented)) == [], "routes missing from docs/openapi.yaml"
    assert sorted(set(documented) - set(routes)) == [], "documented paths that do not exist"
    assert documented == routes, "operationId must be the view function's name"


def test_the_spec_is_consistent(spec):
    assert spec["openapi"].startswith("3.1")
    text = SPEC_PATH.read_text(encoding="utf-8")
    for ref in set(re.findall(r'\$ref: "#/([^"]+)"', text)):
        node = spec
        for part in ref.split("/"):
            assert part in node, f"unresolved $ref #/{ref}"
            node = node[part]
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            if method not in METHODS:
                continue
            assert "401" in operation["responses"], (method, path)
            if method != "get":
                assert {"session": [], "csrf": []} in operation["security"], (method, path)
    api_md = (PROJECT_ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    for path, item in spec["paths"].items():
        for method in set(item) & METHODS:
            assert f"{method.upper()} {path}" in api_md, f"docs/api.md does not name {path}"


def _validator(spec: dict[str, Any], name: str) -> Draft202012Validator:
    resource = Resource.from_contents(spec, default_specification=DRAFT202012)
    registry = Registry().with_resource("urn:dudao-openapi", resource)
    schema = {"$ref": f"urn:dudao-openapi#/components/schemas/{name}"}
    return Draft202012Validator(schema, registry=registry)


def test_real_answers_fit_the_schemas(app, world, spec):  # noqa: F811
    tablet = app.test_client()
    sign_in(tablet, "insp")
    checks = []
    checks.append(("Me", tablet.get("/api/v1/me").get_json()))
    for entry in tablet.get("/api/v1/assignments").get_json()["assignments"]:
        checks.append(("Assignment", entry))
    version = world.inspection.definition_version_id
    checks.append(
        ("DefinitionVersion", tablet.get(f"/api/v1/definition-versions/{version}").get_json())
    )
    base = f"/api/v1/inspections/{world.inspection.id}"
    photo = tablet.post(
        f"{base}/photos", data={"item_key": "plan", "file": (io.BytesIO(jpeg()), "p.jpg")}
    ).get_json()
    checks.append(("Photo", photo))
    body = payload({**PASSING, "plan": "no"}, notes={"plan": "x"}, photos={"plan": [photo["id"]]})
    checks.append(("Submission", tablet.post(f"{base}/submissions", json=body).get_json()))
    checks.append(("Draft", tablet.get(f"{base}/draft").get_json()))
    checks.append(("InspectionStatus", tablet.get(base).get_json()))
    checks.append(("Error", tablet.post(f"{base}/submissions", json={"x": 1}).get_json()))
    for name, data in checks:
        errors = list(_validator(spec, name).iter_errors(data))
        assert not errors, f"{name}: {[e.message for e in errors]}"
