from django.shortcuts import render

from abiertos.accounts.request_actor import actor_for_web

from . import selectors


def job_detail(request, job_id):
    job = selectors.job_get_visible(actor=actor_for_web(request), job_id=job_id)
    return render(request, "jobs/job_detail.html", {"job": job})
