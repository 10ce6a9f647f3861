"""The JSON API under ``/api/v1``: bearer tokens only (no session cookie, no CSRF), input
checked by marshmallow schemas, errors as RFC 9457 problem documents, and the OpenAPI
document generated from the same declarations that route and check each request."""
