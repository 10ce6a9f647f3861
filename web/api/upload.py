"""``POST /api/v1/batches``: a batch file sent as the web's upload form sends it — the same
``jobs.submit_batch`` (kept by content hash, an identical file answered with its existing
batch and not screened twice, the upload audited, the screening job queued), with the
batch's optional ``label``, column ``mapping`` and declared ``input_format``.

The screening job tells a file's format from its content, as it does for the web's
uploads; a declared ``input_format`` is checked against that content here, so a client
learns at once that its file is not what it meant to send instead of from a failed job."""

from __future__ import annotations

from typing import IO, Any

from flask import url_for
from marshmallow import Schema, ValidationError, fields, validate
from werkzeug.datastructures import FileStorage

from aml_screen.errors import AmlScreenError, InputError
from aml_screen.ingest.formats import ACCEPTED_SUFFIXES, FORMAT_NAMES, detect_format
from aml_screen.ingest.sniff import HEAD_BYTES
from aml_screen.jobs import submit_batch
from aml_screen.store.models import Batch
from web.api.blueprint import bp, caller
from web.api.endpoints import Answer, operation
from web.api.problems import ApiError
from web.api.schemas import Strict
from web.services import services

AUTO = "auto"


class FileField(fields.Field[FileStorage]):
    """A file part of a multipart body."""

    def _deserialize(self, value: Any, attr: str | None, data: Any,
                     **kwargs: Any) -> FileStorage:
        if not isinstance(value, FileStorage):
            raise ValidationError("Send a file in this part.")
        return value


class BatchUpload(Strict):
    file = FileField(required=True, metadata={
        "type": "string", "format": "binary",
        "description": "the batch file, named with one of: " + ", ".join(ACCEPTED_SUFFIXES)})
    label = fields.String(validate=validate.Length(max=200), metadata={
        "description": "kept on a new batch (e.g. the sending bank's reference)"})
    input_format = fields.String(load_default=AUTO,
                                 validate=validate.OneOf([AUTO, *FORMAT_NAMES]), metadata={
        "description": "auto: told from the content; otherwise the content must be of it"})
    mapping = FileField(metadata={"type": "string", "format": "binary",
                                  "description": "a YAML column mapping, as on the web"})


class BatchAccepted(Schema):
    id = fields.Integer()
    status = fields.String(metadata={"description": "queued, running, done or failed"})
    created = fields.Boolean(metadata={
        "description": "false: the same file (SHA-256) was received before; its batch"})
    queued = fields.Boolean(metadata={"description": "a screening job was queued"})


def _check_format(upload: FileStorage, declared: str) -> None:
    """Refuse (422) a file whose content is not of the ``declared`` format."""
    if declared == AUTO:
        return
    stream: IO[bytes] = upload.stream
    head = stream.read(HEAD_BYTES)
    stream.seek(0)
    name = upload.filename or ""
    try:
        found = detect_format(head, name)
    except AmlScreenError:
        found = None
    if found != declared:
        content = f" (its content is {found})" if found else ""
        raise ApiError(422, "api.detail.invalid", extra={"errors": [{
            "field": "input_format", "message": f"{name} is not {declared}{content}."}]})


@operation(bp, "/batches", "post", scope="submit", permission="batches.upload",
           form=BatchUpload, response=BatchAccepted, status=202)
def submit(body: dict[str, Any]) -> Answer:
    """Send a batch file to be screened, as the web's upload form does.

    Any intake format, told from the content. The answer names the batch and where to
    follow its screening (``Location``); a file already received (same SHA-256) is answered
    with its batch and not screened again. An empty file or a file name of no batch format
    is a 422 naming the file as it was sent.
    """
    upload: FileStorage = body["file"]
    name = upload.filename or ""
    mapping: FileStorage | None = body.get("mapping")
    _check_format(upload, body["input_format"])
    found = services()
    try:
        submission = submit_batch(found.jobs, found.database, name, upload.stream,
                                  caller().user_id, label=body.get("label") or None,
                                  mapping=mapping.read() if mapping else None,
                                  mapping_name=mapping.filename or "" if mapping else "")
    except InputError as exc:  # an empty file, a name of no batch format, a bad mapping
        raise ApiError(422, exc.key, extra={"code": exc.key}, **exc.params) from None
    with found.database.transaction() as db:
        status = db.get_one(Batch, submission.batch_id).status
    return Answer({"id": submission.batch_id, "status": status,
                   "created": submission.created, "queued": submission.queued},
                  {"Location": url_for("api.get_batch", batch_id=submission.batch_id)})
