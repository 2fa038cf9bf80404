from django_tasks import task

from portal.core.scoping import tenant_task


@task()
@tenant_task
def build_archive(archive_id: int) -> None:
    from portal.exports.services import archive_build

    archive_build(archive_id)
