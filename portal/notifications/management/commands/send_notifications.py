from django.core.management.base import BaseCommand

from portal.core import clock
from portal.core.scoping import across_organisations


class Command(BaseCommand):
    help = (
        "Send what is due: scheduled news, push and e-mail held back by quiet hours, retries after "
        "a failure, and the daily summaries. Run it every few minutes (cron or a systemd timer)."
    )

    @across_organisations()  # a job of the installation, not one user's request
    def handle(self, *args, **options):
        from portal.news.services import publish_due
        from portal.notifications.services import send_due

        now = clock.now()
        self.stdout.write(f"news: {publish_due(now)}")
        self.stdout.write(f"notifications: {send_due(now)}")
