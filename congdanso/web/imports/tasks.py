"""Background tasks of the people app (django-tasks; run by `congdanso db_worker`)."""

from django_tasks import task

from congdanso.web.imports.jobs import import_job_run


@task()
def import_job_task(job_id: int) -> None:
    """Run an import confirmed on the import page (see `people.importing.jobs`)."""
    import_job_run(job_id=job_id)
