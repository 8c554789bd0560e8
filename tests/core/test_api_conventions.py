"""The API's conventions, held for every operation the schema lists (so a new endpoint cannot escape them):
typed answers, documented errors, every list paginated, one form for moments. Every answer of the suite is
also checked against its documented schema (tests/api_schema.py, wrapped around the test clients)."""

import re

import pytest

from tests import api_schema
from tests.flows import IN_WARRANTY, line

METHODS = ("get", "post", "put", "patch", "delete")
COMPOSITES = ("$ref", "allOf", "anyOf", "oneOf", "enum", "type")


def operations():
    for path, item in api_schema.schema()["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def _resolve(node: dict) -> dict:
    while "$ref" in node:
        node = api_schema.schema()["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    if "allOf" in node and len(node["allOf"]) == 1:
        return _resolve(node["allOf"][0])
    return node


def _untyped(node, where: str, seen: set) -> list[str]:
    """Places in a schema that say nothing: a bare object, a value of no type. A map's values may be anything
    (`additionalProperties: {}`: the notice's content, a timeline entry's changes, an error's details)."""
    found = []
    if isinstance(node, dict):
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[1]
            if name not in seen:
                seen.add(name)
                found += _untyped(api_schema.schema()["components"]["schemas"][name], f"{where} → {name}", seen)
            return found
        if not any(key in node for key in COMPOSITES):
            found.append(where)
        if node.get("type") == "object" and "properties" not in node and "additionalProperties" not in node:
            found.append(where)
        for key, value in node.items():
            if key == "properties":
                for name, sub in value.items():
                    found += _untyped(sub, f"{where}.{name}", seen)
            elif key == "additionalProperties" and value == {}:
                continue
            elif key in ("items", "additionalProperties"):
                found += _untyped(value, f"{where}[]", seen)
            elif key in ("allOf", "anyOf", "oneOf"):
                for index, sub in enumerate(value):
                    found += _untyped(sub, f"{where}<{index}>", seen)
    return found


def test_every_operation_has_a_typed_answer():
    problems = []
    for path, method, operation in operations():
        responses = operation["responses"]
        success = [status for status in responses if status.startswith("2")]
        if not success:
            problems.append(f"{method.upper()} {path}: no 2xx answer documented")
        for status in success:
            if status == "204":
                continue
            schema = responses[status].get("content", {}).get("application/json", {}).get("schema")
            if schema is None:
                problems.append(f"{method.upper()} {path} {status}: no JSON schema")
                continue
            problems += [f"{method.upper()} {path} {status}: untyped at {where}"
                         for where in _untyped(schema, "answer", set())]
        body = operation.get("requestBody", {}).get("content", {})
        for media, content in body.items():
            problems += [f"{method.upper()} {path} request ({media}): untyped at {where}"
                         for where in _untyped(content.get("schema", {}), "body", set())]
    assert problems == []


def test_every_operation_documents_its_errors_in_the_one_shape():
    problems = []
    for path, method, operation in operations():
        responses = operation["responses"]
        errors = {status: response for status, response in responses.items() if status[0] in "45"}
        if "400" not in errors:
            problems.append(f"{method.upper()} {path}: 400 not documented")
        if "{" in path and "404" not in errors:
            problems.append(f"{method.upper()} {path}: 404 not documented")
        if path != "/api/v1/auth/token/" and "403" not in errors:
            problems.append(f"{method.upper()} {path}: 403 not documented")
        for status, response in errors.items():
            schema = response.get("content", {}).get("application/json", {}).get("schema", {})
            if schema.get("$ref") != "#/components/schemas/Error":
                problems.append(f"{method.upper()} {path} {status}: not the Error shape")
    assert problems == []
    error = api_schema.schema()["components"]["schemas"]["Error"]
    assert set(error["required"]) == {"code", "message", "details"}


def test_conflicts_with_a_records_state_are_documented_409s():
    """Every write on a record with a state says which 409 codes it may answer."""
    stateful = ("/actions/", "repair-orders/{id}/", "material-requests", "quotes", "scrap-applications", "teardowns",
                "refurbish-orders", "receiving-list")
    missing = [f"{method.upper()} {path}" for path, method, operation in operations()
               if method == "post" and any(part in path for part in stateful)
               and path != "/api/v1/repair-orders/{id}/findings/" and "409" not in operation["responses"]]
    assert missing == []
    records = api_schema.schema()["paths"]["/api/v1/repair-orders/{id}/records/"]["post"]["responses"]["409"]
    assert "`unit_not_on_order`" in records["description"] and "`insufficient_stock`" in records["description"]


# --- every list is paginated ---

PAGE_KEYS = {"count", "next", "previous", "results"}


def list_operations() -> list[str]:
    """GET operations answering a list: a page (results) or, which is refused, a bare array."""
    found = []
    for path, method, operation in operations():
        if method != "get":
            continue
        schema = _resolve(operation["responses"]["200"]["content"]["application/json"]["schema"])
        if schema.get("type") == "array" or "results" in schema.get("properties", {}):
            found.append(path)
    return found


def test_no_list_answers_a_bare_array():
    bare = [path for path in list_operations()
            if _resolve(api_schema.schema()["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
                        ["schema"]).get("type") == "array"]
    assert bare == []
    assert len(list_operations()) >= 20  # the enumeration finds them (cases, units, queues, quotes, ...)


@pytest.fixture
def world(received, registry, finished_goods, api):
    """A case received and a calendar day, so that every list has rows to show: timeline, stock, notifications,
    queues, the records whose history is listed."""
    case, unit_ids = received(lines=[line(serials=[IN_WARRANTY.format(1), IN_WARRANTY.format(2)])])
    assert api("manager").post("/api/v1/calendar/days/", {"date": "2026-12-30", "kind": "shutdown", "name": "盘点"},
                               format="json").status_code == 201
    assert api("manager").post("/api/v1/contacts/", {"customer": "C-ALICE", "name": "王经理", "phone": "13800000000"},
                               format="json").status_code == 201
    assert api("manager").post("/api/v1/parts/", {"code": "HT-ELEM", "name": "加热管", "unit_cost": "35.00"},
                               format="json").status_code == 201
    # a final test item of a model (issue 13, part B)
    assert api("manager").post("/api/v1/test-items/", {"product_model": "HT-2000", "code": "HIPOT", "name": "耐压测试",
                                                       "requirement": "1500V 1min 无击穿"},
                               format="json").status_code == 201
    # the approval matrix (issue 13, part A)
    assert api("manager").post("/api/v1/approvers/", {"kind": "gm", "user": "manager"},
                               format="json").status_code == 201
    assert api("purchasing").post("/api/v1/suppliers/", {"code": "S-HEAT", "name": "加热管厂", "parts": ["HT-ELEM"]},
                                  format="json").status_code == 201
    # parts sent out of warranty, waiting for their quote (issue 14): the quotes of a shipment are listed
    from aftersales.masterdata.models import Customer
    from aftersales.servicedesk.models import PartsShipment, ServiceRequest, ShipmentState

    request = ServiceRequest.objects.create(number="SR-2026-900001", channel="phone", category="parts",
                                            customer=Customer.objects.get(code="C-ALICE"), description="缺温控器",
                                            warranty_status="out")
    shipment = PartsShipment.objects.create(request=request, state=ShipmentState.AWAITING_QUOTE, chargeable=True,
                                            lines=[{"part": "HT-ELEM", "quantity": 1}])
    return {"case": case, "unit_ids": unit_ids, "shipment": shipment.pk}


def _first(api, collection: str, key: str = "id"):
    body = api("manager").get(f"/api/v1/{collection}/").json()
    assert body["results"], f"the world has no {collection}: add one"
    return body["results"][0][key]


def _address(api, world, path: str) -> tuple[str, dict]:
    query = {}
    operation = api_schema.schema()["paths"][path]["get"]
    for parameter in operation.get("parameters", []):
        if parameter["in"] == "query" and parameter.get("required"):
            fills = {"case": world["case"]["id"], "shipment": world["shipment"]}
            assert parameter["name"] in fills, f"{path}: say how to fill the required ?{parameter['name']}="
            query[parameter["name"]] = fills[parameter["name"]]
    if "{role}" in path:
        return path.replace("{role}", "service"), query
    if "{id}" in path or "{key}" in path:
        collection = path.removeprefix("/api/v1/").split("/{")[0]
        value = world["case"]["id"] if collection == "cases" else _first(
            api, collection, "key" if "{key}" in path else "id")
        path = path.replace("{id}", str(value)).replace("{key}", str(value))
    return path, query


READERS = ("manager", "service", "finance", "planning", "warehouse", "alice")


def test_every_list_answers_the_one_page_shape(api, world):
    for template in list_operations():
        path, query = _address(api, world, template)
        for reader in READERS:
            response = api(reader).get(path, {**query, "page_size": 1})
            if response.status_code == 200:
                break
        else:
            raise AssertionError(f"no persona reads {path}")
        body = response.json()
        assert PAGE_KEYS <= set(body), (template, sorted(body))
        assert isinstance(body["count"], int) and len(body["results"]) <= 1, template
        if body["count"] > 1:
            assert body["next"] and "page=2" in body["next"], template
        assert api(reader).get(path, {**query, "page": 99999}).status_code == 404, template


def test_repair_orders_list_the_open_ones_unless_a_state_is_asked(api, world):
    case = world["case"]
    assert api("planning").get("/api/v1/repair-orders/", {"state": "done"}).json()["count"] == 0
    assert api("planning").get("/api/v1/repair-orders/", {"state": "bogus"}).json()["code"] == "invalid"
    assert api("planning").get("/api/v1/repair-orders/", {"case": case["id"]}).json()["results"] == []


# --- one form for moments ---

LOOKS_LIKE_A_MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def _moments(node, where="") -> list[tuple[str, str]]:
    if isinstance(node, dict):
        return [found for key, value in node.items() for found in _moments(value, f"{where}.{key}")]
    if isinstance(node, list):
        return [found for index, value in enumerate(node) for found in _moments(value, f"{where}[{index}]")]
    if isinstance(node, str) and LOOKS_LIKE_A_MOMENT.match(node):
        return [(where, node)]
    return []


def test_every_moment_is_sent_with_the_offset_of_time_zone(api, world, flow, users):
    case = world["case"]
    units = api("quality").get(f"/api/v1/cases/{case['id']}/").json()["units"]
    flow("manager", "override_warranty", case, unit_ids=[units[0]["id"]], status="out", chargeable=True,
         comment="人为损坏")
    api("manager").patch(f"/api/v1/customers/{_first(api, 'customers')}/", {"region": "华南"}, format="json")
    answers = {
        path: api(role).get(path).json() for role, path in [
            ("service", f"/api/v1/cases/{case['id']}/"), ("alice", f"/api/v1/cases/{case['id']}/"),
            ("service", f"/api/v1/cases/{case['id']}/timeline/"), ("service", "/api/v1/cases/"),
            ("service", "/api/v1/queues/service/"), ("warehouse", "/api/v1/stock/moves/"),
            ("manager", "/api/v1/customers/"), ("manager", f"/api/v1/customers/{_first(api, 'customers')}/history/"),
            ("manager", "/api/v1/product-models/"), ("manager", "/api/v1/policies/"),
            ("alice", "/api/v1/notifications/"), ("service", f"/api/v1/service-history/?serial={IN_WARRANTY.format(1)}"),
        ]}
    found = [(path, where, value) for path, body in answers.items() for where, value in _moments(body)]
    assert len(found) > 20
    assert [moment for moment in found if not api_schema.is_local_moment(moment[2])] == []
    assert any(value.endswith("+08:00") for _path, _where, value in found)
    override = answers[f"/api/v1/cases/{case['id']}/"]["units"][0]["warranty"]["override"]
    assert override["at"].endswith("+08:00")  # kept as text in the unit's row, sent in the same form
