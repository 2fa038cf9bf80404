"""The CSV import: preview, errors in words with line numbers, all or nothing, idempotent."""

import datetime as dt

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.backoffice import importer
from portal.backoffice.models import ImportBatch
from portal.children.models import Child, Guardian, Placement
from portal.core.models import AuditEntry
from tests.conftest import login

HEADER = (
    "child_number,first_name,last_name,birth_date,location,group,start_date,end_date,schedule,"
    "photo_consent,allergies,guardian1_email,guardian1_name,guardian2_email,guardian2_name"
)


def csv(*lines, header=HEADER) -> bytes:
    return ("\n".join([header, *lines]) + "\n").encode()


def good_lines():
    return [
        '1001,Noa,Jansen,2025-04-12,Zonnebloem Centrum,Baby\'s,2026-01-05,,"ma,di,do",ja,,'
        "sanne.j@example.nl,Sanne Jansen,tom.j@example.nl,Tom Jansen",
        '1002,Finn,Jansen,2023-09-30,Zonnebloem Centrum,Peuters,2025-02-03,,"ma,di:ochtend",ja,pinda,'
        "sanne.j@example.nl,Sanne Jansen,,",
    ]


def test_a_good_file_previews_then_imports(world):
    preview = importer.read(world.a.org, csv(*good_lines()))
    assert preview.ok and [r.action for r in preview.rows] == ["create", "create"]
    assert any("sanne.j@example.nl" in note for note in preview.notes)  # one login for two children
    assert not Child.objects.filter(external_id="1001").exists()  # the preview wrote nothing
    importer.apply(world.a.org, csv(*good_lines()), world.adam)
    noa = Child.objects.get(organisation=world.a.org, external_id="1001")
    assert {g.user.email for g in noa.guardians.all()} == {"sanne.j@example.nl", "tom.j@example.nl"}
    assert Guardian.objects.filter(user__email="sanne.j@example.nl").count() == 2
    finn = Child.objects.get(external_id="1002")
    assert sorted(finn.placements.get().schedule.values_list("weekday", "day_part")) == [
        (0, "afternoon"),
        (0, "morning"),
        (1, "morning"),
    ]
    assert AuditEntry.objects.filter(action="import.applied").count() == 1


def test_importing_the_same_file_twice_changes_nothing(world):
    importer.apply(world.a.org, csv(*good_lines()), world.adam)
    before = (Child.objects.count(), Placement.objects.count(), Guardian.objects.count())
    preview = importer.read(world.a.org, csv(*good_lines()))
    assert [r.action for r in preview.rows] == ["unchanged", "unchanged"]
    importer.apply(world.a.org, csv(*good_lines()), world.adam)
    assert (Child.objects.count(), Placement.objects.count(), Guardian.objects.count()) == before


def test_a_changed_line_is_an_update(world):
    importer.apply(world.a.org, csv(*good_lines()), world.adam)
    changed = [good_lines()[0].replace("2026-01-05,,", "2026-01-05,2026-07-31,"), good_lines()[1]]
    preview = importer.read(world.a.org, csv(*changed))
    assert [r.action for r in preview.rows] == ["update", "unchanged"]
    assert preview.rows[0].changes == ["end_date"]
    importer.apply(world.a.org, csv(*changed), world.adam)
    assert Placement.objects.get(child__external_id="1001").end_date == dt.date(2026, 7, 31)


def test_semicolons_windows_encoding_and_dutch_dates_are_read_and_explained(world):
    lines = [
        "1003;Zoë;Bakker;24-11-2025;Zonnebloem Centrum;Baby's;01-12-2026;;ma,wo;nee;;z.bakker@example.nl;Zoë Bakker;;",
    ]
    raw = csv(*lines, header=HEADER.replace(",", ";")).decode().encode("cp1252")
    preview = importer.read(world.a.org, raw)
    assert preview.ok, [r.errors for r in preview.rows]
    assert any("Windows-1252" in n for n in preview.notes) and any(
        "semicolon" in n or "puntkomma" in n for n in preview.notes
    )
    importer.apply(world.a.org, raw, world.adam)
    zoe = Child.objects.get(external_id="1003")
    assert zoe.first_name == "Zoë" and zoe.birth_date == dt.date(2025, 11, 24)


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("1004,A,B,2025-13-01,Zonnebloem Centrum,Baby's,2026-01-05,,ma,ja,,a@example.nl,A,,", "birth_date"),
        ("1004,A,B,2025-01-01,Zonnebloem Centrum,Kikkers,2026-01-05,,ma,ja,,a@example.nl,A,,", "Kikkers"),
        ("1004,A,B,2025-01-01,Zonnebloem Centrum,Baby's,2026-01-05,,zondag,ja,,a@example.nl,A,,", "zondag"),
        ("1004,A,B,2025-01-01,Zonnebloem Centrum,Baby's,2026-01-05,,ma,ja,,a@example.nl,A,a@example.nl,A", "same"),
        ("1004,A,B,2025-01-01,Zonnebloem Centrum,Baby's,2026-01-05,,ma,ja,,not-an-address,A,,", "e-mail"),
        ("1004,A,B,2025-01-01,Zonnebloem Centrum,Baby's,2026-01-05,2025-12-01,ma,ja,,a@example.nl,A,,", "end_date"),
        ("1004,A,B,2025-01-01,Zonnebloem Centrum,Baby's,2026-01-05,,ma,misschien,,a@example.nl,A,,", "photo_consent"),
        ("1004,A,B,2025-01-01,Zonnebloem Centrum,Baby's,2026-01-05,,ma,ja,,a@example.nl,A,,,extra", "more values"),
    ],
)
def test_a_bad_line_is_explained_with_its_number_and_nothing_is_imported(world, line, message):
    settings_language = "en"
    from django.utils import translation

    with translation.override(settings_language):
        raw = csv(*good_lines(), line)
        preview = importer.read(world.a.org, raw)
        assert not preview.ok
        [bad] = preview.error_rows
        assert bad.line == 4
        assert any(message in error for error in bad.errors), bad.errors
        importer.apply(world.a.org, raw, world.adam)
    assert not Child.objects.filter(external_id__in=["1001", "1002", "1004"]).exists()


def test_file_level_problems(world):
    from django.utils import translation

    with translation.override("en"):
        assert "Columns missing" in importer.read(world.a.org, b"first_name,last_name\nA,B\n").file_errors[0]
        assert "empty" in importer.read(world.a.org, b"").file_errors[0]
        assert "no rows" in importer.read(world.a.org, csv()).file_errors[0]
        assert "not text" in importer.read(world.a.org, b"\x81\x8d\x8f\x90\x9d" * 10).file_errors[0]
        big = b"x" * (importer.MAX_BYTES + 1)
        assert "5 MB" in importer.read(world.a.org, big).file_errors[0]


def test_duplicate_child_numbers_and_one_address_with_two_names(world):
    from django.utils import translation

    lines = good_lines() + [good_lines()[0].replace("Noa", "Noah")]
    lines.append("1005,C,D,2025-01-01,Zonnebloem Centrum,Baby's,2026-01-05,,ma,ja,,tom.j@example.nl,Thomas J,,")
    with translation.override("en"):
        preview = importer.read(world.a.org, csv(*lines))
    errors = {r.line: " ".join(r.errors) for r in preview.error_rows}
    assert "also on line 2" in errors[4]
    assert "one e-mail address is one person" in errors[5]


def test_another_organisations_groups_are_unknown(world):
    line = "1006,A,B,2025-01-01,Regenboog Centrum,Baby's,2026-01-05,,ma,ja,,a@example.nl,A,,"
    assert not importer.read(world.a.org, csv(line)).ok


def test_the_pages_upload_preview_confirm_and_a_double_click(client, world):
    login(client, world.adam)
    upload = reverse("backoffice:import", kwargs={"organisation_id": world.a.org.pk})
    response = client.post(upload, {"file": SimpleUploadedFile("export.csv", csv(*good_lines()), "text/csv")})
    assert response.status_code == 302
    preview_url = response["Location"]
    page = client.get(preview_url).content.decode()
    assert "1001" in page and "Import bevestigen" in page
    assert client.post(preview_url).status_code == 302
    assert client.post(preview_url).status_code == 302  # the second click
    assert Child.objects.filter(external_id__in=["1001", "1002"]).count() == 2
    assert AuditEntry.objects.filter(action="import.applied").count() == 1
    assert ImportBatch.objects.get().applied_by == world.adam


def test_the_example_file_fits_the_demo(db):
    from django.core.management import call_command

    from portal.organisations.models import Organisation

    call_command("load_demo")
    raw = (settings.BASE_DIR / "docs/import-example.csv").read_bytes()
    preview = importer.read(Organisation.objects.get(slug="demo"), raw)
    assert preview.ok, [(r.line, r.errors) for r in preview.error_rows]
    assert preview.count("create") == 3


def test_odd_files_are_explained_not_crashes(world):
    from django.utils import translation

    with translation.override("en"):
        long_name = good_lines()[0].replace("Noa", "N" * 150)
        preview = importer.read(world.a.org, csv(long_name))
        assert "longer than 100" in preview.error_rows[0].errors[0]
        assert "NUL" in importer.read(world.a.org, csv(*good_lines()).replace(b"Noa", b"N\x00a")).file_errors[0]
        huge = good_lines()[0].replace(",ja,,", ',ja,"' + "x" * 200_000 + '",')
        assert "cannot be read as CSV" in importer.read(world.a.org, csv(huge)).file_errors[0]


def test_line_numbers_count_empty_lines_and_quoted_line_breaks(world):
    bad = "1004,A,B,2025-13-01,Zonnebloem Centrum,Baby's,2026-01-05,,ma,ja,,a@example.nl,A,,"
    noted = good_lines()[1].replace(",pinda,", ',"pinda,\nei",')
    preview = importer.read(world.a.org, csv(good_lines()[0], "", noted, bad))
    # header 1, Noa 2, empty 3, Finn 4-5 (a line break inside quotes), the bad line 6
    assert [r.line for r in preview.error_rows] == [6]


def test_an_overlapping_placement_that_is_no_move_is_an_error(world):
    importer.apply(world.a.org, csv(*good_lines()), world.adam)
    for line in (
        good_lines()[0].replace("Baby's,2026-01-05", "Peuters,2025-12-01"),  # another group, before the start
        good_lines()[0].replace("Baby's,2026-01-05", "Baby's,2026-03-01"),  # the same group, another start
    ):
        preview = importer.read(world.a.org, csv(line))
        errors = " ".join(preview.error_rows[0].errors)
        assert not preview.ok and ("overlaps" in errors or "overlapt" in errors)


def test_reimporting_after_a_move_does_not_undo_it(world):
    from portal.children.services import placement_move

    importer.apply(world.a.org, csv(*good_lines()), world.adam)
    placement = Placement.objects.get(child__external_id="1001")
    placement_move(placement=placement, actor=world.adam, group=world.a.toddlers, from_date=dt.date(2026, 6, 1))
    preview = importer.read(world.a.org, csv(*good_lines()))
    assert not preview.ok
    importer.apply(world.a.org, csv(*good_lines()), world.adam)
    placement.refresh_from_db()
    assert placement.end_date == dt.date(2026, 5, 31)


# ---------------------------------------------------------------- the import keeps the rules of the forms


def line_for(world, kid, *, number, group="Baby's", start, end="", schedule, consent="nee", guardian=None):
    guardian = guardian or kid.guardians.get().user
    Child.objects.filter(pk=kid.pk).update(external_id=number)
    return (
        f"{number},{kid.first_name},{kid.last_name},{kid.birth_date.isoformat()},Zonnebloem Centrum,{group},"
        f'{start},{end},"{schedule}",{consent},{kid.allergies},{guardian.email},{guardian.full_name},,'
    )


def test_consent_withdrawn_by_the_import_hides_the_photos_as_the_form_does(client, world, committed):
    from tests.test_media import upload

    Child.objects.filter(pk__in=[world.bo.pk, world.lin.pk]).update(photo_consent=True)
    item, _ = upload(world, children=[world.bo, world.lin], committed=committed)
    detail = reverse("media:detail", args=[item.pk])
    login(client, world.bert)
    assert client.get(detail).status_code == 200
    line = line_for(world, world.lin, number="2001", start="2026-06-01", schedule="wo:ochtend,vr:ochtend")
    preview = importer.read(world.a.org, csv(line))
    assert preview.ok and preview.rows[0].changes == ["photo_consent"]
    importer.apply(world.a.org, csv(line), world.adam)
    world.lin.refresh_from_db()
    assert world.lin.photo_consent is False
    for guardian in (world.bert, world.anna):  # Lin's family, and Bo's: the photo is hidden for every family
        login(client, guardian)
        assert client.get(detail).status_code == 404
    login(client, world.sanne)  # the staff still see it, to remove or retag it
    assert client.get(detail).status_code == 200
    entry = AuditEntry.objects.get(action="child.consent.changed")
    assert entry.changes["photo_consent"] == [True, False] and entry.changes["source"] == "import"


def test_an_end_date_imported_withdraws_later_requests_as_the_form_does(world):
    from portal.planning import services as planning
    from portal.planning.models import PlanningRequest

    later, _ = planning.extra_day_request(
        user=world.anna, child=world.bo, day=dt.date(2026, 12, 15), day_parts=["morning"], pay_with_credit=False
    )
    before, _ = planning.extra_day_request(
        user=world.anna, child=world.bo, day=dt.date(2026, 12, 8), day_parts=["morning"], pay_with_credit=False
    )
    line = line_for(world, world.bo, number="2002", start="2026-09-01", end="2026-12-10", schedule="ma,wo")
    assert importer.read(world.a.org, csv(line)).rows[0].changes == ["end_date"]
    importer.apply(world.a.org, csv(line), world.adam)
    world.bo_placement.refresh_from_db()
    assert world.bo_placement.end_date == dt.date(2026, 12, 10)
    assert PlanningRequest.objects.get(pk=later.pk).state == "withdrawn"
    assert PlanningRequest.objects.get(pk=before.pk).state == "pending"  # on the last day of care or before: kept
    assert AuditEntry.objects.filter(action="placement.ended", object_id=world.bo.pk).count() == 1
    # the planning system says again that the placement goes on: the end date goes, nothing comes back
    line = line_for(world, world.bo, number="2002", start="2026-09-01", schedule="ma,wo")
    importer.apply(world.a.org, csv(line), world.adam)
    world.bo_placement.refresh_from_db()
    assert world.bo_placement.end_date is None
    assert PlanningRequest.objects.get(pk=later.pk).state == "withdrawn"


def test_a_group_change_imported_is_a_move(world):
    from portal.planning import services as planning
    from portal.planning.models import Absence, Credit

    absence = planning.absence_report(user=world.anna, child=world.bo, day=dt.date(2026, 12, 14), reason="holiday")
    assert absence.credit is not None
    request, _ = planning.extra_day_request(
        user=world.anna, child=world.bo, day=dt.date(2026, 12, 15), day_parts=["morning"], pay_with_credit=False
    )
    line = line_for(world, world.bo, number="2003", group="Peuters", start="2026-12-07", schedule="ma,wo")
    preview = importer.read(world.a.org, csv(line))
    assert preview.ok and preview.rows[0].changes == ["group"]
    assert any("Peuters" in note for note in preview.notes)
    importer.apply(world.a.org, csv(line), world.adam)
    world.bo_placement.refresh_from_db()
    assert world.bo_placement.end_date == dt.date(2026, 12, 6)  # the day before the move
    new = Placement.objects.get(child=world.bo, group=world.a.toddlers)
    assert (new.start_date, new.end_date) == (dt.date(2026, 12, 7), None)
    assert sorted(new.schedule.values_list("weekday", "day_part")) == sorted(
        world.bo_placement.schedule.values_list("weekday", "day_part")
    )
    assert Absence.objects.get(pk=absence.absence.pk).placement == new
    assert Credit.objects.get().placement == new and Credit.objects.get().state == "available"
    request.refresh_from_db()
    assert (request.placement, request.group, request.state) == (new, world.a.toddlers, "pending")
    assert AuditEntry.objects.filter(action="placement.moved", object_id=world.bo.pk).count() == 1
    assert [r.action for r in importer.read(world.a.org, csv(line)).rows] == ["unchanged"]


def test_one_history_line_per_child_with_old_and_new_values(world):
    importer.apply(world.a.org, csv(*good_lines()), world.adam)
    noa = Child.objects.get(external_id="1001")
    finn = Child.objects.get(external_id="1002")
    created = AuditEntry.objects.filter(action="import.child.created")
    assert sorted(created.values_list("object_id", flat=True)) == sorted([noa.pk, finn.pk])
    assert created.get(object_id=finn.pk).changes["schedule"] == [None, "ma,di:ochtend"]
    changed = [
        good_lines()[0].replace("2026-01-05,,", "2026-01-05,2026-07-31,").replace(",ja,,", ",ja,melk,"),
        good_lines()[1],
    ]
    importer.apply(world.a.org, csv(*changed), world.adam)
    [entry] = AuditEntry.objects.filter(action="import.child.updated")
    assert (entry.object_type, entry.object_id, entry.actor) == ("child", noa.pk, world.adam)
    assert entry.changes == {"allergies": ["", "melk"], "end_date": [None, "2026-07-31"]}
    assert "1001" not in entry.summary and "Noa Jansen" in entry.summary
    assert AuditEntry.objects.filter(action="import.applied").count() == 2


def test_a_service_that_refuses_a_line_makes_it_an_error_and_nothing_is_imported(world, monkeypatch):
    from django.core.exceptions import ValidationError

    from portal.children import services

    def refuse(**kwargs):
        raise ValidationError("Geweigerd")

    importer.apply(world.a.org, csv(*good_lines()), world.adam)
    monkeypatch.setattr(services, "placement_end", refuse)
    changed = [
        good_lines()[0].replace("Noa", "Noah"),
        good_lines()[1].replace("2025-02-03,,", "2025-02-03,2026-07-31,"),
    ]
    preview = importer.apply(world.a.org, csv(*changed), world.adam)
    assert not preview.ok and [(r.line, r.errors) for r in preview.error_rows] == [(3, ["Geweigerd"])]
    assert Child.objects.get(external_id="1001").first_name == "Noa"  # the line before it is undone too
    assert not AuditEntry.objects.filter(action="import.child.updated").exists()
    assert AuditEntry.objects.filter(action="import.applied").count() == 1
