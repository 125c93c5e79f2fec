"""Uploaded files in the storage that no row points at any more (left behind when rows went
with a wholesale delete, e.g. the demo reset): one sweep for every feature's folder."""

from django.core.files.storage import default_storage


def purge_orphans(folder, name_pairs) -> int:
    """Delete the files under `folder` that none of `name_pairs` ((file, thumbnail) names, as
    the rows hold them) names. Returns how many files went."""
    kept = {name for pair in name_pairs for name in pair if name}
    removed = 0
    for name in list(_stored_names(folder)):
        if name not in kept:
            default_storage.delete(name)
            removed += 1
    return removed


def _stored_names(folder):
    try:
        folders, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in names:
        yield f"{folder}/{name}"
    for sub in folders:
        yield from _stored_names(f"{folder}/{sub}")
