"""Evidence files sent together and their storing: several uploads checked and processed at
once before anything is written (a task's progress report, an appeal), and the storage writes
of one database write, deleted again if that write fails (every evidence row, an answer's too).

The caps differ per caller, so they are arguments; the per-file checks are files.prepare's."""

import secrets
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from surveys.evidence import files
from surveys.evidence.files import EvidenceFileError


class FilesRefused(Exception):
    """Refused evidence: one Chinese message per fault, each naming its file."""

    def __init__(self, messages):
        super().__init__("；".join(messages))
        self.messages = list(messages)


@dataclass(frozen=True)
class NamedFile:
    name: str  # shown on the page; the stored name is random
    prepared: files.Prepared


def prepare_all(uploads, *, max_files, too_many, error=FilesRefused) -> list[NamedFile]:
    """Check and process every upload (name, bytes) before anything is written: all the
    refusals at once, each naming its file, raised as `error`, or the files ready to store.
    `too_many` is the message for more than `max_files` files, with {max_files} and {count}."""
    uploads = list(uploads)
    errors = []
    if len(uploads) > max_files:
        errors.append(too_many.format(max_files=max_files, count=len(uploads)))
    prepared = []
    for name, content in uploads:
        try:
            prepared.append(NamedFile(files.display_name(name), files.prepare(name, content)))
        except EvidenceFileError as exc:
            errors.append(str(exc))
    if errors:
        raise error(errors)
    return prepared


def quoted_names(items) -> str:
    """The files' names as a refusal lists them: “一.pdf”、“二.jpg”."""
    return "、".join(f"“{item.name}”" for item in items)


class StoredFiles:
    """The files one database write puts in storage, under random names, deleted again if
    the write fails. Open it around the transaction, so the files go after the rollback:

        with StoredFiles() as stored, transaction.atomic():
            Row.objects.create(..., **stored.save("folder/1", item))
    """

    def __enter__(self):
        self.names = []
        return self

    def __exit__(self, exc_type, exc, traceback):
        if exc_type is not None:
            for name in self.names:
                default_storage.delete(name)
        return False

    def save(self, folder, item: NamedFile) -> dict:
        """Write one file (its thumbnail beside it), each name noted as soon as it is in
        storage; returns the evidence row's fields for it."""
        stem = f"{folder}/{secrets.token_hex(16)}"
        prepared = item.prepared
        stored = default_storage.save(f"{stem}.{prepared.extension}", ContentFile(prepared.content))
        self.names.append(stored)
        thumbnail = ""
        if prepared.thumbnail:
            thumbnail = default_storage.save(f"{stem}_t.jpg", ContentFile(prepared.thumbnail))
            self.names.append(thumbnail)
        return {
            "kind": prepared.kind,
            "original_name": item.name,
            "file": stored,
            "thumbnail": thumbnail,
            "size": prepared.size,
        }
