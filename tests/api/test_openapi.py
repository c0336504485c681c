import re

from tests.support import assert_problem

WRITES = {"post", "put", "patch", "delete"}


def test_the_spec_documents_every_endpoint_with_its_errors(app, login_as):
    client = login_as("sales")
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    documented = {
        (method.upper(), path)
        for path, ops in spec["paths"].items()
        for method in ops
        if method != "parameters"
    }
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and rule.endpoint.split(".")[0] != "api-docs":
            path = re.sub(r"<(?:[^:>]+:)?(\w+)>", r"{\1}", rule.rule)
            routed |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routed <= documented

    problem = spec["components"]["responses"]["UNAUTHORIZED"]["content"]
    assert "application/problem+json" in problem
    for path, ops in spec["paths"].items():
        for method, op in ops.items():
            if method == "parameters":
                continue
            codes = set(op["responses"])
            if path not in ("/api/v1/health", "/api/v1/auth/login"):
                assert "401" in codes, (method, path)
            if method in WRITES:
                refs = {p.get("$ref", "") for p in op.get("parameters", [])}
                assert "#/components/parameters/IdempotencyKey" in refs, (method, path)


def test_the_docs_page_loads_its_assets_from_our_own_origin(login_as):
    client = login_as("sales")
    page = client.get("/api/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "/static/swagger-ui/swagger-ui-bundle.js" in html and "cdn" not in html.lower()
    with client.get("/static/swagger-ui/swagger-ui-bundle.js") as asset:
        assert asset.status_code == 200 and asset.mimetype == "text/javascript"


def test_the_spec_needs_a_login(client):
    assert_problem(client.get("/api/v1/openapi.json"), 401)
