"""Two weeks of diary pages for the demo babies, some with a photo, and two templates."""

from __future__ import annotations

import datetime as dt
import random

from portal.diary.models import DiaryEntry, DiaryTemplate

TEXTS = [
    "{name} heeft vandaag heerlijk gespeeld met de blokken en veel gebrabbeld.",
    "Wat een vrolijke dag! {name} lag lang op het speelkleed en keek naar de mobiel.",
    "{name} was in het begin wat onrustig, maar na het slaapje weer helemaal vrolijk.",
    "We zijn met de bolderkar naar buiten geweest; {name} keek zijn ogen uit.",
    "{name} heeft goed gedronken en lekker geslapen. Samen liedjes gezongen.",
]
MOODS = ["happy", "calm", "tired", "happy", "calm"]


def load_demo_diary(group, babies, staff, today: dt.date) -> int:
    from portal.media.models import MediaItem

    DiaryTemplate.objects.get_or_create(
        group=group, title="Buiten", defaults={"text": "Vandaag zijn we lekker naar buiten geweest. "}
    )
    DiaryTemplate.objects.get_or_create(
        group=group, title="Rustige dag", defaults={"text": "Een rustige dag op de groep, met veel knuffels. "}
    )
    photos = list(MediaItem.objects.filter(group=group, state="ready", kind="photo")[:5])
    rng = random.Random(5)
    count = 0
    for baby in babies:
        placement = baby.placements.prefetch_related("schedule").first()
        weekdays = {s.weekday for s in placement.schedule.all()}
        for back in range(14, 0, -1):
            day = today - dt.timedelta(days=back)
            if day.weekday() not in weekdays or day < placement.start_date:
                continue
            DiaryEntry.objects.create(
                child=baby,
                group=group,
                date=day,
                author=staff,
                state="published",
                published_at=None,
                text=rng.choice(TEXTS).format(name=baby.first_name),
                sleeps=[{"from": "09:45", "to": "11:15"}, {"from": "13:30", "to": "15:00"}],
                feeds=[
                    {"time": "10:00", "what": "fles", "ml": rng.choice([120, 150, 180])},
                    {"time": "12:00", "what": "fruithapje", "ml": None},
                ],
                nappies=[{"time": "11:30", "kind": "wet"}, {"time": "15:15", "kind": rng.choice(["wet", "dirty"])}],
                mood=rng.choice(MOODS),
                media=photos[count % len(photos)] if photos and count % 3 == 0 else None,
            )
            count += 1
    return count
