"""The import pages' requests for the site permission matrix (core/tests/test_site_matrix.py):
each aimed at an import job of commune A of the test world."""

from collections.abc import Callable

from django.urls import reverse

from congdanso.core.tests.world import World
from congdanso.people.models import ImportJob, ImportJobStatus, ImportKind


def _job(world: World) -> ImportJob:
    """A finished resident import into commune A, with one rejected row."""
    job = ImportJob(
        created_by=world.users["manager_a"],
        commune=world.campaign.place,
        kind=ImportKind.RESIDENTS,
        file_name="danh-sach.csv",
        status=ImportJobStatus.DONE,
        rows_done=2,
        rows_total=3,
        result={"rows": 2, "created": 1, "rejected": 1, "header_cells": ["STT", "Họ và tên"]},
    )
    job.rejected_rows = [[3, ["2", ""], "The row has no full name.", {}]]
    job.save()
    return job


def _on_job(name: str) -> Callable[[World], str]:
    return lambda w: reverse(name, args=[_job(w).pk])


IMPORT_REQUESTS: dict[str, Callable[[World], str]] = {
    "people:import_job": _on_job("people:import_job"),
    # A finished job: its preview page sends to the job page.
    "people:import_preview": _on_job("people:import_preview"),
    "people:import_rejects": _on_job("people:import_rejects"),
}
