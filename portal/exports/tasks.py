from django_tasks import task

from portal.core.recovery import on_give_up
from portal.core.scoping import tenant_task


@task()
@tenant_task
def build_archive(archive_id: int) -> None:
    from portal.exports.services import archive_build

    archive_build(archive_id)


def _archives_waiting(before):
    from portal.exports.services import archive_waiting

    return archive_waiting(before)


@on_give_up(build_archive, waiting=_archives_waiting)
def _archive_given_up(archive_id: int, reason: str) -> None:
    from portal.exports.services import archive_give_up

    archive_give_up(archive_id, reason)
