"""OpenAPI post-processing: every operation documents the shared error body for the statuses it can return."""

ERROR_SCHEMA = {
    "type": "object",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message", "code"],
                "properties": {
                    "field": {"type": "string", "nullable": True, "description": "Dotted path into the request, e.g. student.purpose or teachers[0].model; null for the whole request."},
                    "message": {"type": "string"},
                    "code": {"type": "string"},
                },
            },
        }
    },
}

_ALWAYS = {
    "400": "Invalid parameters or body; each error names its field.",
    "401": "Missing or invalid token.",
    "403": "Authenticated but not allowed.",
    "404": "Not found.",
    "429": "Too many requests; see Retry-After.",
}
_WITH_BODY = {"413": "Request body too large.", "415": "Unsupported content type; send application/json."}


def document_error_responses(result, generator, request, public):
    result.setdefault("components", {}).setdefault("schemas", {})["Error"] = ERROR_SCHEMA
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    for operations in result.get("paths", {}).values():
        for operation in operations.values():
            statuses = dict(_ALWAYS, **(_WITH_BODY if "requestBody" in operation else {}))
            responses = operation.setdefault("responses", {})
            for status, description in statuses.items():
                responses.setdefault(status, {"description": description, "content": error})
    return result
