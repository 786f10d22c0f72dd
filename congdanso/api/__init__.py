"""The JSON API, `/api/v1` (django-ninja; OpenAPI at `/api/v1/openapi.json`).

An interface layer: each endpoint parses its input, gets its objects through the scope choke
point (`scope.access`), calls one service or selector, and answers. Writes carry a client
UUID and are applied once (`core.idempotency`); `POST /batch` applies up to 500 queued writes
from a phone that was offline. Errors are JSON: `{"code", "message" (Vietnamese),
"message_en"}`; something outside the caller's scope is a 404.
"""
