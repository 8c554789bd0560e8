"""The OpenAPI schema as a checker of answers: every answer the suite's API calls produce is validated
against the documented response of its operation and status (tests/conftest.py wraps the test clients).

The schema (OpenAPI 3.0, from drf-spectacular) is turned into JSON Schema 2020-12 the strict way: an
object lists its properties and nothing else (`additionalProperties: false` unless it says otherwise),
`nullable` allows null and nothing else does, `oneOf` reads as `anyOf`, `date-time` must be ISO 8601 in TIME_ZONE's offset
(+08:00, never "Z"), `date` a plain date. An answer with a field the schema does not name, a field missing,
a wrong type or a status the operation does not document fails the test that produced it.
"""

import copy
import datetime as dt
import functools
import json
import re

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from jsonschema import Draft202012Validator, FormatChecker

API_PREFIX = "/api/v1/"
MOMENT = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}:\d{2}$")
DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def is_local_moment(value: str) -> bool:
    """ISO 8601 with the offset TIME_ZONE has at that moment: "2026-11-20T09:30:00.123456+08:00"."""
    if not MOMENT.match(value):
        return False
    found = parse_datetime(value)
    return found is not None and timezone.localtime(found).isoformat()[-6:] == value[-6:]


FORMATS = FormatChecker(formats=())


@FORMATS.checks("date-time")
def _date_time(value) -> bool:
    return not isinstance(value, str) or is_local_moment(value)


@FORMATS.checks("date")
def _date(value) -> bool:
    if not isinstance(value, str):
        return True
    if not DATE.match(value):
        return False
    dt.date.fromisoformat(value)
    return True


@functools.cache
def schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


def strict(node):
    """OpenAPI 3.0 schema → JSON Schema, closed objects."""
    if isinstance(node, list):
        return [strict(item) for item in node]
    if not isinstance(node, dict):
        return node
    node = {key: value for key, value in node.items()
            if key not in ("readOnly", "writeOnly", "example", "description", "title")}
    for key, value in node.items():
        if key in ("properties", "patternProperties", "$defs"):  # maps of names to schemas
            node[key] = {name: strict(sub) for name, sub in value.items()}
        elif key not in ("enum", "required", "const", "default"):
            node[key] = strict(value)
    if "oneOf" in node:  # drf-spectacular's alternatives may overlap ("" is a blank and, unchecked, an e-mail)
        node["anyOf"] = node.pop("oneOf")
    if node.get("type") == "object" and "properties" in node and "additionalProperties" not in node:
        node["additionalProperties"] = False
    if node.pop("nullable", False):
        if "enum" in node and None not in node["enum"]:
            node["enum"] = [*node["enum"], None]
        if "type" in node:
            node["type"] = [node["type"], "null"]
        else:
            node = {"anyOf": [node, {"type": "null"}]}
    return node


@functools.cache
def _components() -> dict:
    return strict(copy.deepcopy(schema()["components"]["schemas"]))


@functools.cache
def _routes() -> list[tuple[re.Pattern, str]]:
    """Path templates as patterns, literal paths before those with parameters (read-all before {id})."""
    routes = []
    for template in schema()["paths"]:
        pattern = re.escape(template)
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", pattern)
        routes.append((template.count("{"), re.compile(f"^{pattern}$"), template))
    return [(pattern, template) for _count, pattern, template in sorted(routes, key=lambda r: r[0])]


def operation(method: str, path: str) -> tuple[str, dict] | None:
    for pattern, template in _routes():
        if pattern.match(path):
            found = schema()["paths"][template].get(method.lower())
            if found is not None:
                return template, found
    return None


@functools.cache
def _validator(template: str, method: str, status: str):
    responses = schema()["paths"][template][method]["responses"]
    response = responses.get(status) or responses.get("default")
    if response is None:
        return None
    content = response.get("content", {})
    body = content.get("application/json")
    if body is None:
        return "no-body"
    root = {**strict(copy.deepcopy(body["schema"])), "components": {"schemas": _components()}}
    return Draft202012Validator(root, format_checker=FORMATS)


class NotAsDocumented(AssertionError):
    pass


def check(method: str, path: str, status: int, content_type: str, content: bytes) -> None:
    """Fail unless the answer is one the schema documents for this operation and status."""
    if not path.startswith(API_PREFIX) or method in ("HEAD", "OPTIONS") or status == 405:
        return
    found = operation(method, path)
    if found is None:
        return  # no such route: Django's own 404, or a method the path does not have
    template, _operation = found
    validator = _validator(template, method.lower(), str(status))
    if validator is None:
        raise NotAsDocumented(f"{method} {path} answered {status}, which {template} does not document")
    if validator == "no-body" or not content_type.startswith("application/json"):
        return
    body = json.loads(content)
    errors = sorted(validator.iter_errors(body), key=lambda e: list(e.absolute_path))
    if errors:
        shown = "\n".join(f"  at {'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message[:300]}"
                          for e in errors[:10])
        raise NotAsDocumented(f"{method} {path} answered {status} not as {template} documents it:\n{shown}")
