"""The API reference page (``/api/v1/docs``): the OpenAPI document rendered server-side."""
