"""Schemathesis hooks for the contract run (tests/contract/schemathesis.sh loads them through
SCHEMATHESIS_HOOKS): how to send NDJSON, the one request media type of the document that
schemathesis has no serializer for (`POST /v1/articles:batch`)."""

import json

import schemathesis


@schemathesis.serializer("application/x-ndjson")
def ndjson(ctx, value):
    """One JSON document a line, as the route reads it. A generated value that is not a list (a
    negative case) is sent as one line; raw bytes are sent as they are."""
    if isinstance(value, (bytes, bytearray)):
        return bytes(value)
    items = value if isinstance(value, list) else [value]
    return "\n".join(json.dumps(item, default=str) for item in items).encode()
