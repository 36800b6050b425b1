#!/usr/bin/env python3
"""Write docs/openapi.json and docs/reference/http-api.md from the service's OpenAPI document.

The document is built by ``thbscreen.service.openapi_document()`` (default limits, bundled
rule sets and networks), the same function the running service serves at /openapi.json,
so neither file can drift from the code.

Usage:
    python tools/gen_http_api_docs.py           # rewrite both files
    python tools/gen_http_api_docs.py --check   # exit 1 if either is out of date
"""

from __future__ import annotations

import argparse
import difflib
import json
import sys
from pathlib import Path
from typing import Any

from thbscreen._io import write_atomic
from thbscreen.service import openapi_document

ROOT = Path(__file__).resolve().parents[1]
OPENAPI = ROOT / "docs" / "openapi.json"
PAGE = ROOT / "docs" / "reference" / "http-api.md"
REF = "#/components/schemas/"


def openapi_text(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _type(schema: dict[str, Any]) -> str:
    """A short, linked description of a schema's type, for a table cell."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix(REF)
        return f"[{name}](#{name.lower()})"
    if "const" in schema:
        return f"`{json.dumps(schema['const'])}`"
    if "enum" in schema:
        values = schema["enum"]
        shown = ", ".join(f"`{v}`" for v in values[:8])
        return f"one of {shown}" + (", ..." if len(values) > 8 else "")
    for key in ("anyOf", "oneOf"):
        if key in schema:
            return " or ".join(_type(s) for s in schema[key])
    kind = schema.get("type")
    if kind == "array":
        if "prefixItems" in schema:
            return "[" + ", ".join(_type(s) for s in schema["prefixItems"]) + "]"
        limit = f" (at most {schema['maxItems']})" if "maxItems" in schema else ""
        return f"array of {_type(schema.get('items', {}))}{limit}"
    if kind == "object":
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            return f"object of {_type(extra)}"
        return "object"
    if kind == "string" and "maxLength" in schema:
        return f"string (at most {schema['maxLength']} characters)"
    return str(kind) if kind else "any"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _properties(schema: dict[str, Any]) -> list[str]:
    required = set(schema.get("required", ()))
    lines = ["| key | type | required | description |", "|---|---|---|---|"]
    for key, prop in schema.get("properties", {}).items():
        lines.append(
            f"| `{key}` | {_cell(_type(prop))} | {'yes' if key in required else 'no'} "
            f"| {_cell(prop.get('description', ''))} |"
        )
    return lines


def render_page(doc: dict[str, Any]) -> str:
    info = doc["info"]
    out = [
        "# HTTP API reference",
        "",
        "<!-- Generated from the OpenAPI document by tools/gen_http_api_docs.py; "
        "edit the code and run the script, not this page. -->",
        "",
        f"{info['title']} {info['version']}, OpenAPI {doc['openapi']}. The machine-readable "
        "document is [openapi.json](../openapi.json); a running service serves its own at "
        "`/openapi.json`, with the names of the rule sets and networks it accepts and the "
        "limits it was started with. Start the service with `thbscreen serve` (see the "
        "[how-to](../howto/embed-in-your-tool.md)).",
        "",
        info["description"],
        "",
        "## Operations",
        "",
    ]
    for path, item in doc["paths"].items():
        for method, op in item.items():
            out += [f"### `{method.upper()} {path}`", "", op["summary"], ""]
            if op.get("description"):
                out += [op["description"], ""]
            for param in op.get("parameters", ()):
                out += [
                    f"Query parameter `{param['name']}` ({_type(param['schema'])}, optional): "
                    f"{param['description']}",
                    "",
                ]
            body = op.get("requestBody")
            if body:
                media = body["content"]["application/json"]
                out += [f"Request body (`application/json`): {_type(media['schema'])}.", ""]
                if "example" in media:
                    out += [
                        "```json",
                        json.dumps(media["example"], indent=2, ensure_ascii=False),
                        "```",
                        "",
                    ]
            out += ["| status | body | meaning |", "|---|---|---|"]
            for status, response in op["responses"].items():
                (media_type, content), *_ = response["content"].items()
                out.append(
                    f"| {status} | `{media_type}` {_cell(_type(content['schema']))} "
                    f"| {_cell(response['description'])} |"
                )
            out.append("")
    out += [
        "## Schemas",
        "",
        "Every key listed as required is always present in a response. `Case`, `Text` and "
        "`Observation` are the definitions of `thbscreen schema --kind case`.",
        "",
    ]
    for name, schema in doc["components"]["schemas"].items():
        out += [f"### {name}", ""]
        if schema.get("description"):
            out += [schema["description"], ""]
        if "properties" in schema:
            out += [*_properties(schema), ""]
        elif "oneOf" in schema:
            for i, option in enumerate(schema["oneOf"], 1):
                out += [f"Form {i}:", "", *_properties(option), ""]
        else:
            out += [f"{_type(schema)}.", ""]
    return "\n".join(out).rstrip() + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a file is out of date")
    args = parser.parse_args(argv)
    doc = openapi_document()
    wanted = {OPENAPI: openapi_text(doc), PAGE: render_page(doc)}
    stale = []
    for path, text in wanted.items():
        current = path.read_text(encoding="utf-8") if path.is_file() else ""
        if current == text:
            continue
        if args.check:
            stale.append(path)
            diff = difflib.unified_diff(
                current.splitlines(), text.splitlines(), str(path), "generated", lineterm=""
            )
            sys.stdout.write("\n".join(list(diff)[:40]) + "\n")
        else:
            write_atomic(path, text)
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        names = ", ".join(str(p.relative_to(ROOT)) for p in stale)
        print(f"out of date: {names}; run python tools/gen_http_api_docs.py")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
