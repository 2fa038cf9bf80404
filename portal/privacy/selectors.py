"""Reads for the family's privacy: the data the organisation holds about a guardian (the data
export's JSON), the access log as a family or an admin sees it."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from portal.access import exports as exports_access
from portal.access import privacy as privacy_access
from portal.accounts import identity
from portal.accounts.models import ApiToken, OrganisationProfile, UserSession
from portal.children.models import Child
from portal.core import clock
from portal.notifications.services import preferences_of, quiet_hours_of
from portal.planning.models import Absence, Credit, PlanningRequest
from portal.privacy.models import AccessLogEntry, ErasureRequest


def data_about(guardian, organisation) -> dict:
    """Everything the organisation holds about the guardian and their children, as plain data
    for JSON. The files (photos, diary, messages) go beside it in the export."""
    profile = OrganisationProfile.objects.filter(organisation=organisation, user=guardian).first()
    quiet = quiet_hours_of(guardian)
    children = list(
        exports_access.children_for_data_export(guardian, organisation).prefetch_related(
            "placements__group__location", "placements__schedule", "pickup_persons", "emergency_contacts"
        )
    )
    return {
        "made_at": clock.now(),
        "organisation": organisation.name,
        "you": {
            "email": guardian.email,
            "name_at_organisation": profile.full_name if profile else "",
            "phone_at_organisation": profile.phone if profile else "",
            "own_name": guardian.full_name,
            "language": guardian.language,
            "account_since": guardian.date_joined,
            "activated_at": guardian.activated_at,
            "notification_choices": {
                kind: {"push": push, "email": email} for kind, (push, email) in preferences_of(guardian).items()
            },
            "quiet_hours": {"from": quiet.start, "until": quiet.end, "daily_summary_at": quiet.digest_time},
            "browser_sessions": [
                {"device": s.device, "since": s.created_at, "last_seen": s.last_seen_at}
                for s in UserSession.objects.filter(user=guardian)
            ],
            "app_logins": [
                {"device": t.device_name, "since": t.created_at, "last_used": t.last_used_at, "ended": t.revoked_at}
                for t in ApiToken.objects.filter(user=guardian)
            ],
        },
        "children": [_child_data(child, organisation) for child in children],
    }


def _child_data(child: Child, organisation) -> dict:
    names = identity.names_in(organisation, [g.user_id for g in child.guardians.all()])
    return {
        "first_name": child.first_name,
        "last_name": child.last_name,
        "birth_date": child.birth_date,
        "photo_consent": child.photo_consent,
        "allergies": child.allergies,
        "notes": child.notes,
        "guardians": [
            {"name": names.get(g.user_id, ""), "relation": g.relation} for g in child.guardians.select_related("user")
        ],
        "pickup_persons": [
            {"name": p.name, "relation": p.relation, "phone": p.phone} for p in child.pickup_persons.all()
        ],
        "emergency_contacts": [
            {"name": p.name, "relation": p.relation, "phone": p.phone} for p in child.emergency_contacts.all()
        ],
        "placements": [
            {
                "group": p.group.name,
                "location": p.group.location.name,
                "start": p.start_date,
                "end": p.end_date,
                "schedule": [f"{s.get_weekday_display()} {s.get_day_part_display()}" for s in p.schedule.all()],
            }
            for p in child.placements.all()
        ],
        "absences": [
            {"date": a.date, "reason": a.reason, "note": a.note, "reported_at": a.reported_at, "in_time": a.in_time}
            for a in Absence.objects.filter(child=child)
        ],
        "requests": [
            {
                "kind": r.kind,
                "date": r.date,
                "day_parts": r.day_parts,
                "state": r.state,
                "requested_at": r.requested_at,
                "decided_at": r.decided_at,
                "note": r.decision_note,
            }
            for r in PlanningRequest.objects.filter(child=child)
        ],
        "credits": [
            {"earned_at": c.earned_at, "expires_on": c.expires_on, "state": c.state, "kind_of_care": c.kind_of_care}
            for c in Credit.objects.filter(child=child)
        ],
        "access_log": [
            {"at": row["at"], "who": row["who"], "what": row["what"]} for row in access_log_rows(None, child)
        ],
    }


def access_log(child: Child) -> QuerySet[AccessLogEntry]:
    return AccessLogEntry.objects.filter(child=child).order_by("-at", "-id")


def access_log_rows(viewer, child: Child, entries=None) -> list[dict]:
    """Entries of a child's access log (all when `entries` is None) as `viewer` sees them
    (None: as the child's family does); who is named and who stays anonymous is
    `portal.access.privacy`'s decision. Three queries, whatever the number of rows."""
    rows = list(access_log(child) if entries is None else entries)
    actor_ids = {r.actor_id for r in rows if r.actor_id}
    shown = privacy_access.names_shown_in_access_log(viewer, child, actor_ids)
    names = identity.names_in(child.organisation_id, shown)
    result = []
    for row in rows:
        if row.actor_id is None:
            who = _("someone who no longer has an account")
        elif row.actor_id in shown:
            who = names.get(row.actor_id, "")
        else:
            who = _("the parent of another child on the photo")
        result.append({"at": row.at, "who": who, "what": row.get_what_display(), "entry": row})
    return result


def erasure_requests_of_child(child: Child) -> QuerySet[ErasureRequest]:
    return ErasureRequest.objects.filter(child=child).order_by("-requested_at", "-id")
