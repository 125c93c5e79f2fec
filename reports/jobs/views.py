"""The office's job pages: start (or join) a job, watch its progress, download its file.
Files are private: they leave the storage only through job_file, behind office_required."""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from reports.jobs import selectors, services
from reports.jobs.files import file_response
from reports.jobs.kinds import KINDS
from reports.store import current_version
from surveys.core.permissions import office_required
from surveys.core.text import local_minute
from surveys.rounds.models import Round
from surveys.rounds.services import OfficeError


def _kind(name):
    if name not in KINDS:
        raise Http404("没有这种后台任务。")
    return KINDS[name]


def _job(job_id):
    job = selectors.job_detail(job_id)
    if job is None or job.kind not in KINDS:
        raise Http404("没有找到这个后台任务，可能已过期清理。")
    return job


def _page(request, round_, kind, job):
    now = timezone.now()
    state = "none"
    if job is not None:
        state = job.status
        if job.status == job.Status.DONE and (job.expired(now) or not job.file):
            state = "expired"
    return render(
        request,
        kind.template,
        {
            "round": round_,
            "kind": kind,
            "job": job,
            "state": state,
            "outdated": kind.reusable and state == "done" and job.data_version != current_version(),
        },
    )


@office_required
def round_job(request, round_id, kind):
    """A round's job of one kind: the latest one's state, or the button that starts one."""
    kind = _kind(kind)
    round_ = get_object_or_404(Round, pk=round_id)
    return _page(request, round_, kind, selectors.latest_job(kind.name, round_))


@office_required
@require_POST
def round_job_start(request, round_id, kind):
    kind = _kind(kind)
    round_ = get_object_or_404(Round, pk=round_id)
    job = services.job_start(kind=kind.name, round_=round_, user=request.user)
    return redirect("job_detail", job.pk)


@office_required
@require_POST
def reminders_start(request, round_id):
    """The round page's 催报 forms: 一键催报 posts all=1, 催报所选 the ticked branches. A
    refusal goes back to the round page with its reason and starts nothing."""
    round_ = get_object_or_404(Round, pk=round_id)
    branch_ids = None
    if not request.POST.get("all"):
        branch_ids = [int(pk) for pk in request.POST.getlist("branch") if pk.isdigit()]
    try:
        job = services.reminders_start(user=request.user, round_=round_, branch_ids=branch_ids)
    except OfficeError as refusal:
        messages.error(request, str(refusal))
        return redirect("office_round", round_id=round_.pk)
    return redirect("job_detail", job.pk)


@office_required
def job_detail(request, job_id):
    job = _job(job_id)
    return _page(request, job.round, KINDS[job.kind], job)


def status_payload(job):
    done = job.status == job.Status.DONE and not job.expired() and bool(job.file)
    return {
        "id": job.pk,
        "status": job.status,
        "label": job.get_status_display(),
        "done": job.done,
        "total": job.total,
        "percent": job.percent,
        "error": job.error,
        "finished_at": local_minute(job.finished_at) if job.finished_at else None,
        "file_url": reverse("job_file", args=[job.pk]) if done else None,
    }


@office_required
def job_status(request, job_id):
    job = selectors.job_status(job_id)
    if job is None:
        raise Http404("没有找到这个后台任务，可能已过期清理。")
    return JsonResponse(status_payload(job), headers={"Cache-Control": "no-store"})


@office_required
def job_file(request, job_id):
    return file_response(_job(job_id))
