"""Demo news items and a newsletter."""

from __future__ import annotations

import datetime as dt
import io

from PIL import Image, ImageDraw

from portal.core import clock

MONTHS = [
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
]


def drawn_garden() -> bytes:
    """A child's drawing of the new garden: sky, sun, a sandpit and a tree (a JPEG)."""
    width, height = 1200, 800
    image = Image.new("RGB", (width, height), (150, 205, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 520, width, height), fill=(115, 185, 90))
    draw.ellipse((960, 60, 1120, 220), fill=(255, 215, 70))
    draw.rectangle((180, 560, 620, 720), fill=(140, 95, 60))
    draw.rectangle((200, 575, 600, 705), fill=(240, 215, 150))  # the sand
    draw.rectangle((820, 360, 870, 620), fill=(120, 80, 50))
    draw.ellipse((720, 200, 970, 430), fill=(60, 150, 70))
    for x, colour in ((300, (230, 70, 70)), (420, (70, 110, 220)), (520, (250, 180, 40))):
        draw.ellipse((x - 25, 600, x + 25, 650), fill=colour)  # buckets and balls
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x010F] = "Demo Phone"
    image.save(buffer, "JPEG", quality=88, exif=exif)
    return buffer.getvalue()


NEWSLETTER = "\n\n".join(
    [
        "Beste ouders en verzorgers,",
        (
            "De dagen worden korter en bij Klavertje maken we het binnen extra gezellig. In deze nieuwsbrief "
            "leest u wat er de komende weken gebeurt."
        ),
        (
            "Feestdagen: op de groepen vieren we Sinterklaas en Kerst op een manier die past bij de leeftijd van "
            "de kinderen. De pedagogisch medewerkers vertellen u via het portaal wanneer er iets bijzonders op "
            "het programma staat."
        ),
        (
            "Ziek en beter melden: meld uw kind ziek via het portaal of bel de locatie voor 9 uur. Zo kunnen wij "
            "de groep goed plannen."
        ),
        (
            "Nieuwe collega's: vanaf deze maand versterken twee nieuwe collega's ons team. U ziet ze op de "
            "Vlinders en bij De Boomhut."
        ),
        "Met hartelijke groet,\nHet team van Kinderopvang Klavertje",
    ]
)


def load_demo_news(*, organisation, locations: dict, groups: dict, admin, planner) -> int:
    from portal.media.attachments import prepare_photo
    from portal.news.models import NewsItem
    from portal.news.services import store_attachments

    now = clock.now()
    today = clock.today()

    def moment(days_ago: int, hour: int) -> dt.datetime:
        return clock.at(today - dt.timedelta(days=days_ago), dt.time(hour, 0))

    rows = [
        # (audience: (location, group), kind, title, body, publish_at, author)
        (
            (None, None),
            NewsItem.Kind.NEWSLETTER,
            f"Nieuwsbrief {MONTHS[today.month - 1]}",
            NEWSLETTER,
            moment(1, 8),
            admin,
        ),
        (
            (None, None),
            NewsItem.Kind.NEWS,
            "Sluitingsdagen rond de feestdagen",
            "Op eerste en tweede kerstdag en op nieuwjaarsdag zijn alle locaties gesloten.\n\n"
            "Op 24 en 31 december sluiten we om 17.00 uur.",
            moment(6, 9),
            admin,
        ),
        (
            (locations["speeltuin"], None),
            NewsItem.Kind.NEWS,
            "Nieuwe zandbak in de tuin",
            "De tuin van De Speeltuin heeft een nieuwe zandbak, met een zonnezeil erboven.\n\n"
            "Geeft u uw kind kleren mee die vies mogen worden?",
            moment(3, 10),
            planner,
        ),
        (
            (locations["zonnehuis"], None),
            NewsItem.Kind.NEWS,
            "Parkeren bij Het Zonnehuis",
            "Door werkzaamheden aan de Zonnewijzerweg kunt u de komende twee weken parkeren bij de sporthal.",
            moment(4, 14),
            admin,
        ),
        (
            (None, groups["Rupsjes"]),
            NewsItem.Kind.NEWS,
            "Pyjamadag bij de Rupsjes",
            "Aanstaande vrijdag is het pyjamadag! Uw kindje mag in pyjama komen en we lezen extra veel voor.",
            moment(2, 16),
            planner,
        ),
        (
            (None, groups["De Boomhut"]),
            NewsItem.Kind.NEWS,
            "De Boomhut gaat naar de kinderboerderij",
            "Woensdagmiddag lopen we met de kinderen naar de kinderboerderij. Graag laarzen meegeven.",
            moment(5, 12),
            planner,
        ),
        (
            (None, None),
            NewsItem.Kind.NEWS,
            "Uitnodiging ouderavond",
            "U bent van harte welkom op de ouderavond over slapen en rust bij jonge kinderen.\n\n"
            "Aanmelden kan via de pedagogisch medewerkers.",
            clock.at(today + dt.timedelta(days=7), dt.time(8, 0)),  # scheduled for next week
            admin,
        ),
    ]
    made = []
    for (location, group), kind, title, body, publish_at, author in rows:
        made.append(
            NewsItem.objects.create(
                organisation=organisation,
                location=location,
                group=group,
                kind=kind,
                title=title,
                body=body,
                publish_at=publish_at,
                created_by=author,
                created_at=min(publish_at, now),
                updated_at=min(publish_at, now),
                # The demo tells nobody: what has appeared counts as told. The scheduled item is
                # told at its time, by `send_notifications`, like any other.
                notified_at=publish_at if publish_at <= now else None,
            )
        )
    store_attachments(made[2], [prepare_photo("nieuwe-zandbak.jpg", drawn_garden())], [])
    return len(made)
