"""The demo organisation: two locations, six groups, sixty children, their guardians and
placements, the staff and a weekly roster.

Dates are relative to the day it is loaded, so the demo always has a baby, a child that
starts in four weeks, and today's attendance lists.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from portal.accounts.models import User
from portal.accounts.tablet import pin_set
from portal.children.models import Child, EmergencyContact, Guardian, PickupPerson, Placement, ScheduledDayPart
from portal.demo.logins import DEMO_PASSWORD, DEMO_TABLET_PIN
from portal.organisations.models import (
    Group,
    GroupStaff,
    Location,
    LocationPlanner,
    Organisation,
    OrganisationAdmin,
    RosterPattern,
)

DEMO_SLUG = "demo"

FIRST_NAMES = [
    "Emma",
    "Julia",
    "Mila",
    "Tess",
    "Sophie",
    "Zoë",
    "Sara",
    "Nora",
    "Yara",
    "Eva",
    "Liv",
    "Lotte",
    "Evi",
    "Saar",
    "Fenna",
    "Lina",
    "Roos",
    "Anna",
    "Lieke",
    "Fleur",
    "Noah",
    "Luca",
    "Liam",
    "Lucas",
    "Finn",
    "Levi",
    "Sem",
    "Mees",
    "Milan",
    "James",
    "Daan",
    "Adam",
    "Noud",
    "Sam",
    "Bram",
    "Thijs",
    "Jesse",
    "Ties",
    "Jens",
    "Mason",
]
LAST_NAMES = [
    "de Jong",
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "Yilmaz",
]
PARENT_NAMES = [
    "Anouk",
    "Sanne",
    "Lisa",
    "Marloes",
    "Fatima",
    "Iris",
    "Mark",
    "Jeroen",
    "Bas",
    "Youssef",
    "Tim",
    "Kevin",
]

# (location key, group name, kind, age range in months at load time)
GROUPS = [
    ("speeltuin", "Rupsjes", Group.Kind.DAYCARE, (3, 18)),
    ("speeltuin", "Vlinders", Group.Kind.DAYCARE, (14, 47)),
    ("speeltuin", "De Boomhut", Group.Kind.OUT_OF_SCHOOL, (50, 140)),
    ("zonnehuis", "Kikkers", Group.Kind.DAYCARE, (4, 47)),
    ("zonnehuis", "Uilen", Group.Kind.PRESCHOOL, (26, 47)),
    ("zonnehuis", "Avonturiers", Group.Kind.OUT_OF_SCHOOL, (50, 150)),
]


def months_ago(today: dt.date, months: int, day: int) -> dt.date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day, 28))


@dataclass
class DemoOrganisation:
    """What the other demo modules build on: the organisation and its named people."""

    organisation: Organisation
    locations: dict[str, Location]
    groups: dict[str, Group]
    staff: User
    planner: User
    admin: User
    ouder: User
    ouder2: User
    noor: Child
    daan: Child
    sem: Child
    lotte: Child


def demo_exists() -> bool:
    return Organisation.objects.filter(slug=DEMO_SLUG).exists()


def load_demo_organisation(today: dt.date) -> DemoOrganisation:
    """Create the demo organisation, its people, children and roster (call inside a transaction)."""
    rng = random.Random(2026)
    organisation = Organisation.objects.create(name="Kinderopvang Klavertje", slug=DEMO_SLUG)
    locations = {
        "speeltuin": Location.objects.create(
            organisation=organisation,
            name="De Speeltuin",
            street="Oudegracht 120",
            postcode="3511 AX",
            city="Utrecht",
            phone="030 123 45 67",
            lrk_number="123456789",
        ),
        "zonnehuis": Location.objects.create(
            organisation=organisation,
            name="Het Zonnehuis",
            street="Zonnewijzerweg 8",
            postcode="3812 AB",
            city="Amersfoort",
            phone="033 765 43 21",
            lrk_number="987654321",
        ),
    }
    groups = {
        name: (Group.objects.create(location=locations[loc], name=name, kind=kind), ages)
        for loc, name, kind, ages in GROUPS
    }

    def person(email: str, name: str, *, password: bool) -> User:
        return User.objects.create_user(email, DEMO_PASSWORD if password else None, full_name=name)

    staff = person("medewerker@demo.test", "Marieke Hoekstra", password=True)
    pin_set(user=staff, pin=DEMO_TABLET_PIN)  # to try the group tablet
    GroupStaff.objects.create(user=staff, group=groups["Rupsjes"][0])
    GroupStaff.objects.create(user=staff, group=groups["Vlinders"][0])
    for index, (name, (group, _ages)) in enumerate(groups.items()):
        if name in ("Rupsjes", "Vlinders"):
            continue
        colleague = person(
            f"medewerker{index + 2}@demo.test", f"{PARENT_NAMES[index]} {LAST_NAMES[index]}", password=False
        )
        GroupStaff.objects.create(user=colleague, group=group)
    planner = person("planner@demo.test", "Petra Planner", password=True)
    LocationPlanner.objects.create(user=planner, location=locations["speeltuin"])
    admin = person("beheer@demo.test", "Bert Beheer", password=True)
    OrganisationAdmin.objects.create(user=admin, organisation=organisation)

    ouder = person("ouder@demo.test", "Anouk de Vries", password=True)
    ouder2 = person("ouder2@demo.test", "Youssef Yilmaz", password=True)
    nieuw = person("nieuw@demo.test", "Iris Bakker", password=True)

    def child(
        first: str, last: str, birth: dt.date, group_name: str, start: dt.date, weekdays: list[int], parts: list[str]
    ) -> Child:
        kid = Child.objects.create(
            organisation=organisation,
            first_name=first,
            last_name=last,
            birth_date=birth,
            photo_consent=rng.random() > 0.15,
            allergies=rng.choice(["", "", "", "", "koemelkeiwit", "pinda's", "ei"]),
        )
        placement = Placement.objects.create(child=kid, group=groups[group_name][0], start_date=start)
        ScheduledDayPart.objects.bulk_create(
            ScheduledDayPart(placement=placement, weekday=w, day_part=p) for w in weekdays for p in parts
        )
        EmergencyContact.objects.create(
            child=kid, name=f"Opa {last}", relation="opa", phone=f"06 {rng.randint(10000000, 99999999)}"
        )
        if rng.random() > 0.5:
            PickupPerson.objects.create(
                child=kid, name=f"Oma {last}", relation="oma", phone=f"06 {rng.randint(10000000, 99999999)}"
            )
        return kid

    full_day = ["morning", "afternoon"]
    # The named demo families.
    noor = child("Noor", "de Vries", months_ago(today, 7, 12), "Rupsjes", months_ago(today, 3, 1), [0, 1, 3], full_day)
    daan = child(
        "Daan", "de Vries", months_ago(today, 85, 3), "De Boomhut", months_ago(today, 30, 1), [0, 1, 3], ["afternoon"]
    )
    sem = child("Sem", "Yilmaz", months_ago(today, 11, 20), "Rupsjes", months_ago(today, 6, 1), [1, 2, 3, 4], full_day)
    lotte = child(
        "Lotte", "Bakker", months_ago(today, 16, 5), "Vlinders", today + dt.timedelta(days=28), [0, 2], full_day
    )
    # Daan leaves the after-school care at the end of next month: his family can take everything along.
    next_month = (today.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    last_day = (next_month + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
    Placement.objects.filter(child=daan).update(end_date=last_day)
    for kid, guardian in [(noor, ouder), (daan, ouder), (sem, ouder2), (lotte, nieuw)]:
        Guardian.objects.create(user=guardian, child=kid)
    named = {"Rupsjes": 2, "De Boomhut": 1, "Vlinders": 1}

    # Fill every group to ten children, with one or two guardians each (invited later).
    number = 0
    for group_name, (group, (youngest, oldest)) in groups.items():
        for _ in range(10 - named.get(group_name, 0)):
            number += 1
            last = rng.choice(LAST_NAMES)
            birth = months_ago(today, rng.randint(youngest, oldest), rng.randint(1, 28))
            start = (
                months_ago(today, rng.randint(1, 12), 1)
                if number % 9
                else today + dt.timedelta(days=rng.randint(10, 60))
            )
            weekdays = sorted(rng.sample(range(5), rng.randint(2, 4)))
            parts = (
                ["afternoon"]
                if group.kind == Group.Kind.OUT_OF_SCHOOL
                else (["morning"] if group.kind == Group.Kind.PRESCHOOL else full_day)
            )
            kid = child(rng.choice(FIRST_NAMES), last, birth, group_name, start, weekdays, parts)
            for guardian_number in range(1 if number % 3 else 2):
                parent = person(
                    f"ouder-{number:02d}{'ab'[guardian_number]}@demo.test",
                    f"{rng.choice(PARENT_NAMES)} {last}",
                    password=False,
                )
                Guardian.objects.create(user=parent, child=kid)
    # A normal week's staff roster: two professionals per group and day part, three on the
    # babies; out-of-school care only in the afternoon.
    RosterPattern.objects.bulk_create(
        RosterPattern(
            group=group,
            weekday=weekday,
            day_part=part,
            professionals=(0 if part == "morning" else 2)
            if group.kind == Group.Kind.OUT_OF_SCHOOL
            else (3 if name == "Rupsjes" else 2),
        )
        for name, (group, _ages) in groups.items()
        for weekday in range(5)
        for part in ("morning", "afternoon")
    )
    return DemoOrganisation(
        organisation=organisation,
        locations=locations,
        groups={name: group for name, (group, _ages) in groups.items()},
        staff=staff,
        planner=planner,
        admin=admin,
        ouder=ouder,
        ouder2=ouder2,
        noor=noor,
        daan=daan,
        sem=sem,
        lotte=lotte,
    )
