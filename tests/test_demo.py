from django.core.management import call_command

from portal.accounts.models import User
from portal.children.models import Child, Guardian, Placement
from portal.demo import DEMO_LOGINS, DEMO_PASSWORD
from portal.organisations.models import Group, Location


def test_demo_loads_once_with_everything_the_newcomer_needs(db, capsys):
    call_command("load_demo")
    call_command("load_demo")
    out = capsys.readouterr().out
    assert "already present" in out and "ouder@demo.test" in out and DEMO_PASSWORD in out
    assert Location.objects.count() == 2
    assert set(Group.objects.values_list("kind", flat=True)) == {"dagopvang", "bso", "peuteropvang"}
    assert Group.objects.count() == 6
    assert Child.objects.count() == 60
    assert not Child.objects.filter(guardians__isnull=True).exists()
    assert not Child.objects.filter(placements__isnull=True).exists()
    for email, _who in DEMO_LOGINS:
        assert User.objects.get(email=email).check_password(DEMO_PASSWORD)


def test_the_demo_families(db, client):
    from portal.core import clock

    call_command("load_demo")
    ouder = User.objects.get(email="ouder@demo.test")
    children = Child.objects.filter(guardians__user=ouder)
    groups = {p.group for p in Placement.objects.filter(child__in=children)}
    assert len(groups) == 2
    assert any(c.age_on(clock.today()) == 0 for c in children)
    nieuw = Guardian.objects.get(user__email="nieuw@demo.test").child.placements.get()
    assert (nieuw.start_date - clock.today()).days == 28
    client.post("/accounts/login/", {"email": "ouder@demo.test", "password": DEMO_PASSWORD})
    assert ">Noor</a>" in client.get("/home/").content.decode()  # the Today page names each child


def test_the_demo_has_a_living_feed_without_gps(db, client):
    import io

    from PIL import Image

    from portal.media.models import MediaItem, Rendition

    call_command("load_demo")
    assert MediaItem.objects.filter(state="ready", kind="photo").count() >= 10
    assert MediaItem.objects.filter(state="ready", kind="video").exists()
    for rendition in Rendition.objects.filter(content_type="image/jpeg")[:5]:
        with rendition.file.open("rb") as handle:
            assert len(Image.open(io.BytesIO(handle.read())).getexif()) == 0
    client.post("/accounts/login/", {"email": "ouder@demo.test", "password": DEMO_PASSWORD})
    assert client.get("/photos/").content.decode().count("/file/thumb/") >= 5


def test_the_demo_babies_have_two_weeks_of_diary(db, client):
    from portal.diary.models import DiaryEntry

    call_command("load_demo")
    noor = Child.objects.get(first_name="Noor")
    entries = DiaryEntry.objects.filter(child=noor, state="published")
    assert entries.count() >= 4 and entries.exclude(media=None).exists()
    client.post("/accounts/login/", {"email": "ouder@demo.test", "password": DEMO_PASSWORD})
    assert "Noor" in client.get(f"/children/{noor.pk}/diary/").content.decode()


def test_no_domain_app_imports_the_demo():
    """The demo builds on the apps, never the other way round (docs: README, Layout)."""
    from pathlib import Path

    import portal

    root = Path(portal.__file__).parent
    offenders = [
        str(path.relative_to(root))
        for path in root.rglob("*.py")
        if path.relative_to(root).parts[0] != "demo" and "portal.demo" in path.read_text(encoding="utf-8")
    ]
    assert offenders == []
    assert not list(root.glob("*/demo.py"))
