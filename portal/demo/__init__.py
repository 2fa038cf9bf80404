"""The demo organisation that `make run` loads (`manage.py load_demo`), in one place.

One module per domain, each building on what the organisation module made: the organisation,
its locations, groups, people, children and roster (`organisations`), closing days and requests
(`planning`), photos (`media`), the babies' diary (`diary`), conversations (`messaging`), news
(`news`) and the demo parent's notification list (`notifications`). No domain app imports this
package; it imports them.

Dates are relative to the day it is loaded. Loading twice changes nothing.
"""

from __future__ import annotations

from portal.demo.logins import DEMO_LOGINS, DEMO_PASSWORD

__all__ = ["DEMO_LOGINS", "DEMO_PASSWORD", "load_demo"]


def load_demo() -> bool:
    """Create the demo organisation with everything in it; False if it was there already."""
    # Imported here: this package is an app (for its management command), and Django imports
    # an app's package before its models are ready.
    from django.db import transaction

    from portal.children.models import Child
    from portal.core import clock
    from portal.core.audit import audit_record
    from portal.demo.diary import load_demo_diary
    from portal.demo.media import load_demo_media
    from portal.demo.messaging import load_demo_messages
    from portal.demo.news import load_demo_news
    from portal.demo.notifications import load_demo_notifications
    from portal.demo.organisations import demo_exists, load_demo_organisation
    from portal.demo.planning import load_demo_planning

    with transaction.atomic():
        if demo_exists():
            return False
        today = clock.today()
        demo = load_demo_organisation(today)
        groups = demo.groups
        load_demo_planning(today, demo.locations, demo.ouder, demo.ouder2, demo.noor, demo.sem)
        audit_record(
            organisation=demo.organisation, actor=None, action="demo.loaded", summary="Demo organisation loaded"
        )
        Child.objects.filter(pk__in=[demo.noor.pk, demo.sem.pk, demo.lotte.pk]).update(photo_consent=True)
        featured = list(Child.objects.filter(pk__in=[demo.noor.pk, demo.sem.pk]))
        load_demo_media([groups["Rupsjes"], groups["Vlinders"]], demo.staff, featured)
        rupsjes = groups["Rupsjes"]
        babies = [c for c in Child.objects.filter(placements__group=rupsjes).distinct() if c.age_on(today) == 0]
        load_demo_diary(rupsjes, babies, demo.staff, today)
        load_demo_messages(
            groups=groups,
            staff=demo.staff,
            ouder=demo.ouder,
            ouder2=demo.ouder2,
            noor=demo.noor,
            daan=demo.daan,
            sem=demo.sem,
        )
        load_demo_news(
            organisation=demo.organisation,
            locations=demo.locations,
            groups=groups,
            admin=demo.admin,
            planner=demo.planner,
        )
        load_demo_notifications(parent=demo.ouder, children=[demo.noor, demo.daan])
    return True
