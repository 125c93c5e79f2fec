"""One helper per evidence action, through the test client."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

JSON = {"HTTP_ACCEPT": "application/json"}


def upload(client, round_, code, name, content, *, as_json=True):
    return client.post(
        reverse("evidence_upload", args=[round_.pk, code]),
        {"file": SimpleUploadedFile(name, content)},
        **(JSON if as_json else {}),
    )


def remove(client, evidence, *, as_json=True):
    return client.post(reverse("evidence_remove", args=[evidence.pk]), **(JSON if as_json else {}))


def listed(client, round_):
    return client.get(reverse("evidence_list", args=[round_.pk]), **JSON).json()["files"]
