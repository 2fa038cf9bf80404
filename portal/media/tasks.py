from django_tasks import task


@task()
def process_media(media_id: int) -> None:
    from portal.media.services import media_process

    media_process(media_id)
