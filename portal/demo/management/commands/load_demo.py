from django.core.management.base import BaseCommand

from portal.core.scoping import across_organisations
from portal.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Load the demo organisation (once) and print the demo logins."

    @across_organisations()  # a job of the installation, not one user's request
    def handle(self, *args, **options):
        created = load_demo()
        self.stdout.write(
            "Demo organisation loaded." if created else "Demo organisation already present; nothing changed."
        )
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for email, who in DEMO_LOGINS:
            self.stdout.write(f"  {email:<24} {who}")
