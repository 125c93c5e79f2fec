"""A finished job's file as a download: the one way a job's file leaves the storage."""

from django.core.files.storage import default_storage
from django.http import Http404

from surveys.core.downloads import download_response


def file_response(job):
    if job.status != job.Status.DONE or not job.file or job.expired():
        raise Http404("文件还没有生成好，或已过期清理，请回到任务页重新生成。")
    try:
        with default_storage.open(job.file, "rb") as handle:
            content = handle.read()
    except FileNotFoundError:
        raise Http404("文件已被清理，请回到任务页重新生成。") from None
    extension = job.file.rsplit(".", 1)[-1]
    return download_response(
        content,
        job.filename,
        job.content_type,
        fallback=f"round-{job.round_id}-{job.kind}.{extension}",
    )
