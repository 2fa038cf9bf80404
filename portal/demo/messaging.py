"""Demo conversations between the demo families and their groups.

- Noor's parent told the Rupsjes that grandma picks her up; the group answered; handled.
- The Rupsjes asked every family to bring swimwear tomorrow (one conversation per family);
  Noor's parent has not read it yet, so the navigation shows an unread message.
- Sem's parent asked about a dentist's appointment; still open and unread in the Rupsjes' inbox.
- Daan's parent wrote to BSO De Boomhut, which nobody of the demo staff works on.

Written straight into the tables, with times in the past, and without notifications (nobody
needs forty e-mails from a demo).
"""

from __future__ import annotations

import datetime as dt

from portal.core import clock
from portal.messaging.models import Message, ReadMark, Thread


def _thread(group, child, subject, started_by, at) -> Thread:
    return Thread.objects.create(
        organisation_id=group.location.organisation_id,
        group=group,
        child=child,
        subject=subject,
        started_by=started_by,
        created_at=at,
        last_message_at=at,
    )


def _say(thread: Thread, author, body: str, at: dt.datetime, *, by_staff: bool) -> Message:
    message = Message.objects.create(thread=thread, author=author, body=body, by_staff=by_staff, created_at=at)
    Thread.objects.filter(pk=thread.pk).update(last_message_at=at)
    ReadMark.objects.update_or_create(
        thread=thread, user=author, defaults={"last_read_message_id": message.pk, "last_read_at": at}
    )
    return message


def load_demo_messages(*, groups: dict, staff, ouder, ouder2, noor, daan, sem) -> int:
    from portal.messaging.services import group_families

    now = clock.now()
    rupsjes = groups["Rupsjes"]
    count = 0

    # Grandma picks Noor up: answered and handled.
    at = now - dt.timedelta(days=1, hours=3)
    pickup = _thread(rupsjes, noor, "Oma haalt Noor vandaag op", ouder, at)
    _say(
        pickup,
        ouder,
        "Hoi! Oma haalt Noor vandaag om 16.30 uur op. Ze heeft een rode jas aan en komt met de fiets.",
        at,
        by_staff=False,
    )
    _say(
        pickup,
        staff,
        "Dank je wel voor het laten weten! We geven het door aan de collega's van de middag.",
        at + dt.timedelta(minutes=25),
        by_staff=True,
    )
    Thread.objects.filter(pk=pickup.pk).update(handled_at=at + dt.timedelta(minutes=26), handled_by=staff)
    count += 1

    # Swimwear, to every family of the Rupsjes: one conversation each; unread for the parents.
    at = now - dt.timedelta(hours=2)
    for children in group_families(rupsjes):
        thread = _thread(rupsjes, children[0], "Wil je morgen zwemkleding meegeven?", staff, at)
        _say(
            thread,
            staff,
            "Beste ouders, morgen gaan we met het water spelen in de tuin. "
            "Wil je zwemkleding, een zwemluier en een handdoek meegeven? Zonnebrand smeren wij.",
            at,
            by_staff=True,
        )
        count += 1

    # Sem's dentist: open and unread for the group.
    at = now - dt.timedelta(hours=1)
    dentist = _thread(rupsjes, sem, "Tandarts", ouder2, at)
    _say(
        dentist,
        ouder2,
        "Goedemorgen, Sem heeft morgen om 9.00 uur een afspraak bij de tandarts. "
        "We brengen hem rond 10.00 uur. Is dat goed?",
        at,
        by_staff=False,
    )
    count += 1

    # Daan, to the after-school group.
    boomhut = groups.get("De Boomhut")
    if boomhut is not None:
        at = now - dt.timedelta(days=2, hours=1)
        bso = _thread(boomhut, daan, "Zwemles op donderdag", ouder, at)
        _say(
            bso,
            ouder,
            "Daan heeft vanaf volgende week op donderdag zwemles tot 16.00 uur. "
            "Hij komt daarna met de fiets naar de BSO.",
            at,
            by_staff=False,
        )
        count += 1
    return count
