"""The audit trail: every domain write leaves a history line (enforced over the source), in the
same transaction, without what people wrote; and the history page filters by child, actor and
action."""

from __future__ import annotations

import ast
import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.urls import reverse

from portal.access import messaging as messaging_access
from portal.children.models import Child
from portal.core.audit import ACTION_LABELS, NAMESPACE_LABELS, action_label, audit_record, log_action, namespace_of
from portal.core.models import AuditEntry
from portal.diary import services as diary
from portal.diary.models import DiaryExport
from portal.media import services as media
from portal.media.models import MediaItem
from portal.messaging import services as messaging
from portal.news import services as news
from portal.news.audience import NewsAudience
from portal.news.models import NewsItem
from portal.planning import services as planning
from portal.planning.models import PlanningRequest
from tests import audit_rule, media_files
from tests.conftest import TODAY, login

MONDAY = dt.date(2026, 11, 30)
TUESDAY = dt.date(2026, 12, 1)

# ---------------------------------------------------------------- the rule, over the source

LOGIN = "a person's own login and security, not one organisation's data (a login may serve several)"
PERSONAL = "a person's own settings or read state, not the organisation's data"
WORKER = "background bookkeeping that carries out a change recorded when it was asked for"
CALLER = "part of a change whose service records it (named in the reason)"

# Public write functions of portal/*/services.py that need no history line of their own.
NOT_RECORDED = {
    "portal.planning.services.calendar_feed_renew": PERSONAL,
    "portal.planning.services.calendar_feed_revoke": PERSONAL,
    "portal.notifications.services.settings_save": PERSONAL,
    "portal.accounts.services.password_set": LOGIN,
    "portal.accounts.services.otp_device_pending": LOGIN,
    "portal.accounts.services.otp_device_confirm": LOGIN,
    "portal.accounts.services.otp_remove": LOGIN,
    "portal.organisations.services.staff_role_add": "recorded by portal.accounts.identity.role_invite (role.invited)",
    "portal.accounts.services.invitations_send_due": WORKER + ": the invitations the daily job owes (sent_at)",
    "portal.accounts.services.invitation_resend": CALLER + ": invitation.sent (home.views.guardian_invite)",
    "portal.accounts.services.invitation_issue_token": WORKER + ": the invitation mail task",
    "portal.accounts.services.invitation_mark_sent": WORKER + ": the invitation mail task",
    "portal.accounts.services.invitation_accept": LOGIN,
    "portal.accounts.services.password_changed": LOGIN,
    "portal.accounts.services.password_generate_for": LOGIN,
    "portal.accounts.services.login_failure_record": LOGIN,
    "portal.accounts.services.login_failures_clear": LOGIN,
    "portal.accounts.services.api_token_create": LOGIN,
    "portal.accounts.services.api_token_authenticate": LOGIN,
    "portal.accounts.services.api_token_revoke": LOGIN,
    "portal.accounts.services.session_key_renewed": LOGIN,
    "portal.accounts.services.cycle_session": LOGIN,
    "portal.accounts.services.user_session_end": LOGIN,
    "portal.accounts.services.user_sessions_active": LOGIN + " (clears ended sessions while reading)",
    "portal.organisations.services.user_for_email": CALLER + ": child.created, guardian.added, role.added",
    "portal.children.services.invite_due_guardians_of": CALLER + ": child.created, guardian.added",
    "portal.diary.services.export_make": WORKER + ": diary.export.requested",
    "portal.media.services.media_process": WORKER + ": media.item.uploaded",
    "portal.media.services.media_give_up": WORKER + ": media.item.uploaded",
    "portal.diary.services.export_give_up": WORKER + ": diary.export.requested",
    "portal.messaging.services.thread_mark_read": PERSONAL,
    "portal.news.services.store_attachments": CALLER + ": news.item.created, news.item.changed",
    "portal.notifications.services.preferences_save": PERSONAL + " (how someone wants to be told)",
    "portal.notifications.services.notify": WORKER + ": the action the notice is about",
    "portal.notifications.services.deliver_one": WORKER + ": the action the notice is about",
    "portal.notifications.services.send_digest_for": WORKER + ": the actions the summary is about",
    "portal.notifications.services.send_due": WORKER + ": the actions the notices are about",
    "portal.notifications.services.mark_read": PERSONAL,
    "portal.notifications.services.mark_read_for_url": PERSONAL,
    "portal.notifications.services.mark_kind_read": PERSONAL,
    "portal.planning.services.placement_moved": CALLER + ": placement.moved (the back office's placement_move)",
    "portal.exports.services.archive_build": WORKER + ": export.departure.requested, export.data.requested",
    "portal.exports.services.archive_give_up": WORKER + ": export.departure.requested, export.data.requested",
    "portal.exports.services.archive_delete": CALLER + ": a newer archive replaces it, or privacy.child.removed",
    "portal.privacy.services.access_record": "the access log is itself the record of who looked",
    "portal.privacy.services.departure_notify": WORKER + ": placement.ended",
}


def test_every_public_write_of_a_services_module_records_a_history_line():
    missing = [
        f"{f.key} (line {f.line})" for f in audit_rule.public_writes() if not f.logs and f.key not in NOT_RECORDED
    ]
    assert not missing, (
        "These services write without calling log_action (directly or through a helper); record the "
        "change, or add the function to NOT_RECORDED with the reason: " + ", ".join(missing)
    )


def test_the_list_of_writes_without_a_line_is_current():
    functions = audit_rule.analyse()
    stale = [name for name in NOT_RECORDED if name not in functions]
    recording = [name for name in NOT_RECORDED if name in functions and functions[name].logs]
    reading = [name for name in NOT_RECORDED if name in functions and not functions[name].writes]
    assert not stale, f"gone, remove from NOT_RECORDED: {stale}"
    assert not recording, f"records a line now, remove from NOT_RECORDED: {recording}"
    assert not reading, f"writes nothing, remove from NOT_RECORDED: {reading}"


def test_the_rule_sees_writes_and_lines_through_helpers(tmp_path, monkeypatch):
    """The walk follows calls within a module and into other services modules."""
    (tmp_path / "portal" / "one").mkdir(parents=True)
    (tmp_path / "portal" / "two").mkdir(parents=True)
    (tmp_path / "portal" / "one" / "services.py").write_text(
        "from portal.core.audit import log_action\n"
        "def _log(x):\n    log_action('one.x', actor=None, organisation=1)\n"
        "def through_helper(thing):\n    thing.save()\n    _log(thing)\n"
        "def silent(thing):\n    thing.delete()\n"
        "def reads(ids):\n    seen = set()\n    seen.update(ids)\n    return seen\n"
    )
    (tmp_path / "portal" / "two" / "services.py").write_text(
        "from portal.one.services import through_helper, silent\n"
        "def recorded_elsewhere(thing):\n    through_helper(thing)\n"
        "def written_elsewhere(thing):\n    silent(thing)\n"
    )
    monkeypatch.setattr(audit_rule, "ROOT", tmp_path)
    found = {f.key: f.logs for f in audit_rule.public_writes()}
    assert found == {
        "portal.one.services.through_helper": True,
        "portal.one.services.silent": False,
        "portal.two.services.recorded_elsewhere": True,
        "portal.two.services.written_elsewhere": False,
    }


def _recorded_actions() -> set[str]:
    """Every action name written in the code: the first argument of log_action and of the
    services' `_log*` helpers, `action=` arguments, and values assigned to `action`."""

    def constants(node) -> list[str]:
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return [node.value]
        if isinstance(node, ast.IfExp):
            return constants(node.body) + constants(node.orelse)
        return []

    found: set[str] = set()
    for path in (audit_rule.ROOT / "portal").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
                if (name == "log_action" or name.startswith("_log")) and node.args:
                    found.update(constants(node.args[0]))
                for keyword in node.keywords:
                    if keyword.arg == "action" and name in audit_rule.LOG_FUNCTIONS:
                        found.update(constants(keyword.value))
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id == "action":
                        found.update(constants(node.value))
                    if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple):
                        for t, v in zip(target.elts, node.value.elts, strict=False):
                            if isinstance(t, ast.Name) and t.id == "action":
                                found.update(constants(v))
    return found


def test_every_recorded_action_has_words_in_both_languages():
    from django.utils import translation

    actions = _recorded_actions()
    assert {"planning.request.approved", "media.item.deleted", "child.created", "group.updated"} <= actions
    assert not actions - set(ACTION_LABELS), "add these to ACTION_LABELS in portal/core/audit.py"
    for action in ACTION_LABELS:
        assert namespace_of(action) in NAMESPACE_LABELS, action
    with translation.override("en"):
        english = {a: str(label) for a, label in ({**ACTION_LABELS, **NAMESPACE_LABELS}).items()}
    with translation.override("nl"):
        assert action_label("planning.request.approved") == "Verzoek goedgekeurd"
        dutch = {a: str(label) for a, label in ({**ACTION_LABELS, **NAMESPACE_LABELS}).items()}
    untranslated = [a for a in english if english[a] == dutch[a] and a not in {"import", "planning"}]
    assert not untranslated, f"no Dutch for {untranslated}"
    assert action_label("something.new") == "something.new"


# ---------------------------------------------------------------- log_action itself


def test_log_action_takes_the_child_from_the_target(world):
    entry = log_action("child.changed", actor=world.adam, organisation=world.a.org, target=world.bo)
    assert (entry.object_type, entry.object_id, entry.child) == ("child", world.bo.pk, world.bo)
    entry = log_action("placement.ended", actor=world.adam, organisation=world.a.org, target=world.mo_placement)
    assert entry.child == world.mo
    entry = log_action("news.item.deleted", actor=world.adam, organisation=world.a.org.pk, target=world.a.babies)
    assert entry.child is None and entry.organisation == world.a.org
    entry = log_action(
        "media.item.tagged", actor=None, organisation=world.a.org, target=world.a.babies, child=world.lin
    )
    assert entry.child == world.lin and entry.actor is None


def test_audit_record_keeps_its_keywords_and_fills_the_child(world):
    entry = audit_record(
        organisation=world.a.org,
        actor=world.adam,
        action="child.consent.changed",
        target=world.bo,
        summary="Bo",
        changes={"photo_consent": [True, False], "when": TODAY, "groups": {world.a.babies}},
    )
    entry.refresh_from_db()
    assert entry.child == world.bo and entry.actor == world.adam
    assert entry.changes == {
        "photo_consent": [True, False],
        "when": "2026-11-25",
        "groups": ["Baby's (Zonnebloem Centrum)"],
    }


def test_an_unnamed_action_is_refused(world):
    with pytest.raises(ValueError):
        log_action("", actor=None, organisation=world.a.org)


def test_a_change_that_is_rolled_back_leaves_no_line(world):
    request, _created = planning.extra_day_request(
        user=world.anna, child=world.bo, day=TUESDAY, day_parts=["morning"], pay_with_credit=False
    )
    before = AuditEntry.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        planning.request_decide(planner=world.paula, request=request, approve=False)
        assert AuditEntry.objects.filter(action="planning.request.rejected").exists()
        raise RuntimeError("the rest of the change failed")
    request.refresh_from_db()
    assert request.state == "pending" and AuditEntry.objects.count() == before


def test_a_refused_request_leaves_no_line(world):
    """The extra day is stored, then refused for lack of credit: the line goes with it."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        planning.extra_day_request(
            user=world.anna, child=world.bo, day=TUESDAY, day_parts=["morning"], pay_with_credit=True
        )
    assert not PlanningRequest.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="planning.").exists()


# ---------------------------------------------------------------- one line per change, with the right facts


def only(action: str) -> AuditEntry:
    entries = list(AuditEntry.objects.filter(action=action))
    assert len(entries) == 1, [e.action for e in AuditEntry.objects.all()]
    return entries[0]


def test_a_planners_approval(world):
    from tests.test_planning import roster

    roster(world.a.babies, 2)
    request, _created = planning.extra_day_request(
        user=world.anna, child=world.bo, day=TUESDAY, day_parts=["morning"], pay_with_credit=False
    )
    asked = only("planning.extra_day.requested")
    assert (asked.actor, asked.child, asked.object_id) == (world.anna, world.bo, request.pk)
    planning.request_decide(planner=world.paula, request=request, approve=True, note="Gezellig, tot dinsdag")
    entry = only("planning.request.approved")
    assert (entry.actor, entry.child, entry.organisation) == (world.paula, world.bo, world.a.org)
    assert (entry.object_type, entry.object_id) == ("planningrequest", request.pk)
    assert entry.changes == {"state": ["pending", "approved"]}
    assert "Gezellig" not in entry.summary + str(entry.changes)


def test_an_absence_kept_as_credit_and_its_expiry(world):
    with_credit = planning.absence_report(user=world.anna, child=world.bo, day=MONDAY, reason="sick")
    assert only("planning.absence.reported").child == world.bo
    earned = only("planning.credit.earned")
    assert (earned.object_id, earned.actor, earned.child) == (with_credit.credit.pk, None, world.bo)
    planning.credits_expire(with_credit.credit.expires_on + dt.timedelta(days=1))
    expired = only("planning.credit.expired")
    assert expired.changes == {"state": ["available", "expired"]} and expired.actor is None


def test_withdrawing_and_a_placement_that_ends(world):
    first, _created = planning.extra_day_request(
        user=world.anna, child=world.bo, day=TUESDAY, day_parts=["morning"], pay_with_credit=False
    )
    planning.request_withdraw(user=world.anna, request=first)
    assert only("planning.request.withdrawn").actor == world.anna
    second, _created = planning.extra_day_request(
        user=world.anna,
        child=world.bo,
        day=TUESDAY + dt.timedelta(days=7),
        day_parts=["morning"],
        pay_with_credit=False,
    )
    world.bo_placement.end_date = TUESDAY
    world.bo_placement.save()
    planning.placement_ended(placement=world.bo_placement, actor=world.adam)
    ended = AuditEntry.objects.filter(action="planning.request.withdrawn", object_id=second.pk).get()
    assert ended.actor == world.adam and ended.child == world.bo


@pytest.fixture
def consent(world):
    Child.objects.filter(pk__in=[world.bo.pk, world.lin.pk]).update(photo_consent=True)
    for kid in (world.bo, world.lin):
        kid.refresh_from_db()
    return world


def post_photo(world, children, committed):
    with committed():
        item, _created = media.media_receive(
            user=world.sanne,
            group=world.a.babies,
            upload=SimpleUploadedFile("foto.jpg", media_files.jpeg_with_gps(), "image/jpeg"),
            upload_key="k1",
            caption="Bo in de zandbak",
            child_ids=[c.pk for c in children],
        )
    return item


def test_a_photo_deletion(client, consent, committed):
    world = consent
    item = post_photo(world, [world.bo], committed)
    uploaded = only("media.item.uploaded")
    assert (uploaded.child, uploaded.actor, uploaded.object_id) == (world.bo, world.sanne, item.pk)
    assert "zandbak" not in uploaded.summary
    login(client, world.sanne)
    response = client.post(reverse("media:delete", args=[item.pk]), {"confirm": "yes"})
    assert response.status_code in (200, 302) and not MediaItem.objects.exists()
    entry = only("media.item.deleted")
    assert (entry.actor, entry.child, entry.organisation) == (world.sanne, world.bo, world.a.org)
    assert (entry.object_type, entry.object_id) == ("mediaitem", item.pk)


def test_tags_and_withdrawn_consent_are_lines_per_child(consent, committed):
    world = consent
    item = post_photo(world, [world.bo, world.lin], committed)
    assert set(AuditEntry.objects.filter(action="media.item.uploaded").values_list("child", flat=True)) == {
        world.bo.pk,
        world.lin.pk,
    }
    media.media_set_tags(user=world.sanne, item=item, child_ids=[world.bo.pk])
    assert only("media.item.untagged").child == world.lin
    media.consent_withdrawn(world.bo, actor=world.adam)
    hidden = only("media.item.consent_hidden")
    assert (hidden.child, hidden.actor, hidden.object_id) == (world.bo, world.adam, item.pk)
    item.refresh_from_db()
    media.media_set_tags(user=world.sanne, item=item, child_ids=[world.lin.pk])
    assert only("media.item.shown").actor == world.sanne
    assert AuditEntry.objects.filter(action="media.item.tagged", child=world.lin).count() == 1


def test_a_news_deletion(client, world):
    item = news.item_create(
        user=world.adam,
        audience=NewsAudience(organisation=world.a.org, group=world.a.babies),
        kind="news",
        title="Sinterklaas op de groep",
        body="Op 5 december komt de Sint langs met pepernoten.",
    )
    assert only("news.item.created").actor == world.adam
    login(client, world.adam)
    response = client.post(reverse("news:delete", args=[item.pk]))
    assert response.status_code == 302 and not NewsItem.objects.exists()
    entry = only("news.item.deleted")
    assert (entry.actor, entry.child, entry.organisation) == (world.adam, None, world.a.org)
    assert (entry.object_type, entry.object_id) == ("newsitem", item.pk)
    assert "Sinterklaas" in entry.summary and "pepernoten" not in entry.summary + str(entry.changes)


def test_a_news_change_says_the_text_changed_not_what_it_says(world):
    item = news.item_create(
        user=world.adam,
        audience=NewsAudience(organisation=world.a.org),
        kind="news",
        title="Studiedag",
        body="Vrijdag zijn we dicht.",
        publish_at=dt.datetime(2026, 12, 1, 9, 0, tzinfo=dt.UTC),
    )
    news.item_update(
        item=item,
        user=world.paula,
        audience=NewsAudience(organisation=world.a.org, location=world.a.centrum),
        kind="news",
        title="Studiedag Centrum",
        body="Vrijdag is Centrum dicht.",
        publish_at=item.publish_at,
    )
    entry = only("news.item.changed")
    assert entry.actor == world.paula
    assert entry.changes["title"] == ["Studiedag", "Studiedag Centrum"]
    assert entry.changes["body"] == ["…", "…"] and "dicht" not in str(entry.changes)
    assert news.item_notify(item.pk, now=dt.datetime(2026, 12, 1, 9, 5, tzinfo=dt.UTC)) is not None
    assert only("news.item.published").actor is None


def test_a_diary_pdf_export(client, world):
    login(client, world.anna)
    response = client.post(reverse("diary:export", args=[world.bo.pk]), {})
    assert response.status_code in (200, 302)
    export = DiaryExport.objects.get()
    entry = only("diary.export.requested")
    assert (entry.actor, entry.child, entry.organisation) == (world.anna, world.bo, world.a.org)
    assert (entry.object_type, entry.object_id) == ("diaryexport", export.pk)


def test_diary_lines_never_hold_the_text(world):
    text = "Bo heeft heerlijk geslapen en twee bekers melk gedronken"
    entry = diary.entry_save(author=world.sanne, child=world.bo, day=TODAY, text=text, publish=False)
    assert only("diary.entry.created").changes == {"state": [None, "draft"], "date": [None, "2026-11-25"]}
    diary.entry_save(author=world.sanne, child=world.bo, day=TODAY, text=text, publish=True, entry=entry)
    assert only("diary.entry.published").changes == {"state": ["draft", "published"]}
    diary.reply_add(author=world.anna, entry=entry, text="Wat fijn, dank jullie wel")
    assert only("diary.reply.added").child == world.bo
    everything = " ".join(e.summary + str(e.changes) for e in AuditEntry.objects.all())
    assert "geslapen" not in everything and "fijn" not in everything


def test_message_lines_never_hold_the_text(world):
    _child, group = messaging_access.message_child_for_guardian(world.anna, world.bo.pk)
    thread = messaging.thread_start(
        author=world.anna, child=world.bo, group=group, subject="Ophalen", body="Oma haalt Bo op", by_staff=False
    )
    messaging.message_add(author=world.sanne, thread=thread, body="Dank je, we weten het", by_staff=True)
    messaging.thread_set_handled(user=world.sanne, thread=thread, handled=True)
    messaging.thread_set_handled(user=world.sanne, thread=thread, handled=False)
    assert only("messaging.thread.started").child == world.bo
    assert only("messaging.message.sent").actor == world.sanne
    assert only("messaging.thread.handled").changes == {"handled": [False, True]}
    assert only("messaging.thread.reopened").changes == {"handled": [True, False]}
    everything = " ".join(e.summary + str(e.changes) for e in AuditEntry.objects.all())
    assert "Oma" not in everything and "weten" not in everything and "Ophalen" not in everything


# ---------------------------------------------------------------- the history page


def history(client, world, **query):
    return client.get(reverse("backoffice:history", kwargs={"organisation_id": world.a.org.pk}), query)


@pytest.fixture
def lines(world):
    org = world.a.org
    log_action("planning.request.approved", actor=world.paula, organisation=org, target=world.bo, summary="Bo ja")
    log_action("planning.absence.reported", actor=world.anna, organisation=org, target=world.mo, summary="Mo ziek")
    log_action("media.item.deleted", actor=world.sanne, organisation=org, child=world.bo, summary="Foto weg")
    log_action("planning.credit.expired", actor=None, organisation=org, target=world.lin, summary="Lin verlopen")
    log_action("planning.request.approved", actor=world.pim, organisation=world.b.org, summary="Regenboog geheim")
    return world


def shown(response) -> list[str]:
    page = response.content.decode()
    return [s for s in ("Bo ja", "Mo ziek", "Foto weg", "Lin verlopen", "Regenboog geheim") if s in page]


def test_the_history_filters_by_child_actor_and_action(client, lines):
    world = lines
    login(client, world.adam)
    assert shown(history(client, world)) == ["Bo ja", "Mo ziek", "Foto weg", "Lin verlopen"]
    assert shown(history(client, world, child=world.bo.pk)) == ["Bo ja", "Foto weg"]
    assert shown(history(client, world, actor=world.anna.pk)) == ["Mo ziek"]
    assert shown(history(client, world, actor="system")) == ["Lin verlopen"]
    assert shown(history(client, world, action="planning.*")) == ["Bo ja", "Mo ziek", "Lin verlopen"]
    assert shown(history(client, world, action="media.item.deleted")) == ["Foto weg"]
    assert shown(history(client, world, child=world.bo.pk, action="planning.*")) == ["Bo ja"]


def test_the_filters_offer_only_this_organisation(client, lines):
    world = lines
    login(client, world.adam)
    page = history(client, world).content.decode()
    assert "Paula Planner" in page and "Pim Planner" not in page and "Olle" not in page
    assert history(client, world, child=world.olle.pk).status_code == 400
    assert history(client, world, actor=world.pim.pk).status_code == 400
    assert shown(history(client, world, child=world.olle.pk)) == []


def test_the_history_speaks_dutch_and_shows_an_empty_state(client, lines):
    world = lines
    login(client, world.adam)
    page = history(client, world).content.decode()
    assert "Verzoek goedgekeurd" in page and "Planning: alles" in page
    page = history(client, world, action="news.*").content.decode()
    assert "Niets in de geschiedenis past bij deze filters." in page


def test_the_history_pages_keep_the_filters(client, world):
    for n in range(55):
        log_action("planning.absence.reported", actor=world.anna, organisation=world.a.org, target=world.bo)
    log_action("child.changed", actor=world.adam, organisation=world.a.org, target=world.bo)
    login(client, world.adam)
    first = history(client, world, action="planning.*")
    assert first.context["page"].count == 55 and len(first.context["page"].entries) == 50
    assert not first.context["page"].newer
    older = first.context["page"].older
    assert f"action=planning.%2A&amp;before={older}" in first.content.decode()
    second = history(client, world, action="planning.*", before=older)
    assert second.status_code == 200 and second.context["page"].count == 55
    assert len(second.context["page"].entries) == 5 and not second.context["page"].older
    assert f"action=planning.%2A&amp;after={second.context['page'].newer}" in second.content.decode()
    back = history(client, world, action="planning.*", after=second.context["page"].newer)
    assert [e.pk for e in back.context["page"].entries] == [e.pk for e in first.context["page"].entries]


def test_older_and_newer_walk_the_history_without_gaps_or_doubles(client, world):
    import datetime as dt

    from portal.core import clock
    from portal.core.audit import HISTORY_PAGE_SIZE

    # Three lines a moment (their ids decide), the moments out of order, 2.5 pages in all.
    for n in range(HISTORY_PAGE_SIZE * 5 // 2):
        with clock.frozen(dt.datetime(2026, 11, 25, 9, 0) + dt.timedelta(seconds=(n // 3) * 7 % 40)):
            log_action("planning.absence.reported", actor=world.anna, organisation=world.a.org, target=world.bo)
    login(client, world.adam)
    expected = list(
        AuditEntry.objects.filter(organisation=world.a.org).order_by("-at", "-id").values_list("pk", flat=True)
    )
    seen, pages, query = [], [], {}
    while True:
        page = history(client, world, **query).context["page"]
        pages.append(page)
        seen += [e.pk for e in page.entries]
        if not page.older:
            break
        query = {"before": page.older}
    assert seen == expected and [len(p.entries) for p in pages] == [50, 50, 25]
    newer = history(client, world, after=pages[2].newer).context["page"]
    assert [e.pk for e in newer.entries] == [e.pk for e in pages[1].entries]
    assert history(client, world, after=pages[1].newer).context["page"].newer == ""  # the newest page


@pytest.mark.parametrize(
    "query",
    [
        {"before": "x"},
        {"before": "99999999999999999-1"},
        {"before": "999999999999999999-1"},
        {"after": "1-99999999999999999999"},
        {"before": "1-0"},
        {"after": "12\x00-3"},
        {"before": "-5"},
        {"actor": "9" * 30},
        {"child": "abc"},
        {"name": "Bo\x00" + "x" * 500},
    ],
)
def test_odd_cursors_and_filters_give_a_page(client, lines, query):
    login(client, lines.adam)
    assert history(client, lines, **query).status_code in (200, 400)


def test_the_history_costs_the_same_queries_whatever_its_size(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, world.adam)

    def count(**query):
        with CaptureQueriesContext(connection) as queries:
            assert history(client, world, **query).status_code == 200
        return len(queries)

    log_action("planning.absence.reported", actor=world.anna, organisation=world.a.org, target=world.bo)
    filters = [{}, {"action": "planning.*"}, {"actor": world.anna.pk}, {"child": world.bo.pk}, {"name": "bo"}]
    few = [count(**f) for f in filters]
    for n in range(120):
        kid = world.bo if n % 2 else world.mo
        log_action("planning.absence.reported", actor=world.anna, organisation=world.a.org, target=kid)
    first = history(client, world).context["page"]
    assert [count(**f) for f in filters] == few
    assert count(before=first.older) == few[0] and count(after=first.older) <= few[0] + 1


def test_the_count_stops_at_its_limit(client, world, monkeypatch):
    from portal.core import audit

    monkeypatch.setattr(audit, "HISTORY_COUNT_LIMIT", 3)
    for _n in range(5):
        log_action("planning.absence.reported", actor=world.anna, organisation=world.a.org, target=world.bo)
    login(client, world.adam)
    response = history(client, world)
    assert response.context["page"].count == 4 and not response.context["page"].count_is_exact
    assert "Meer dan 3 wijzigingen" in response.content.decode()  # the admin reads Dutch


def test_a_name_search_and_a_followed_name_filter_the_history(client, lines):
    world = lines
    login(client, world.adam)
    assert shown(history(client, world, name="BO")) == ["Bo ja", "Foto weg"]
    assert shown(history(client, world, name="test lin")) == ["Lin verlopen"]
    assert shown(history(client, world, name="olle")) == []  # another organisation's child
    page = history(client, world).content.decode()
    assert f'href="?actor={world.anna.pk}"' in page and f'href="?child={world.bo.pk}"' in page
    response = history(client, world, actor=world.anna.pk)
    assert shown(response) == ["Mo ziek"] and "Anna Ouder" in response.content.decode()
