"""Every URL and API route, for every role and for outsiders of another organisation.

Adding a route without listing it here fails `test_every_route_is_listed`.
Statuses: 200 ok, 204 no content, 302 redirect (to login for anonymous visitors, or after a
POST), 401 no or bad token, 403 wrong role, 404 not visible / another organisation.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pytest
from django.core.files.base import ContentFile
from django.urls import URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from portal.accounts.models import ApiToken, RoleInvitation, UserSession
from portal.accounts.services import api_token_create
from portal.backoffice.models import ImportBatch
from portal.children.models import Guardian
from portal.diary.models import DiaryEntry, DiaryExport
from portal.organisations.models import ClosingDay, GroupStaff, RosterException
from portal.planning.models import CalendarFeed, PlanningRequest
from tests.conftest import login

# anna, bert: guardians of different families in the organisation under test; sanne: its group
# staff; paula: its planner; adam: its admin; adam_unverified: adam before his second factor;
# otto, oscar: a guardian and the admin of another organisation.
ROLES = ["anonymous", "anna", "bert", "sanne", "paula", "adam", "adam_unverified", "otto", "oscar"]
NOT_ADMIN = {"anna": 403, "bert": 403, "sanne": 403, "paula": 403, "otto": 404, "oscar": 404}
# News management: the publishers (paula for Centrum, adam) may; others of the organisation 403.
NEWS_STAFF = {"anna": 403, "bert": 403, "sanne": 403, "otto": 404, "oscar": 404}
GATE_FREE = {
    "accounts:logout",
    "accounts:language",
    "accounts:otp_verify",
    "notifications:manifest",
    "notifications:service_worker",
    "notifications:offline",
    "healthz",
}


@dataclass
class Route:
    name: str
    kwargs: object = None  # a function of the world giving the URL kwargs
    method: str = "get"
    expect: dict[str, int] = field(default_factory=dict)  # role -> status
    default: int = 200  # for logged-in roles not named in expect
    anonymous: int = 302
    api: bool = False
    body: object = None  # a function of the world giving the JSON body of an API call
    form: object = None  # a function of the world giving a multipart form (with files)


def everyone(status):
    return {role: status for role in ROLES}


ROUTES = [
    Route("root", anonymous=302, default=302),
    Route("accounts:login", anonymous=200, default=302),
    Route("accounts:logout", method="post", anonymous=302, default=302),
    Route("accounts:language", method="post", anonymous=302, default=302),
    Route("accounts:password_change"),
    Route("accounts:password_reset", anonymous=200),
    Route("accounts:password_reset_done", anonymous=200),
    Route("accounts:password_reset_confirm", lambda w: {"uidb64": "MTIz", "token": "set-password"}, anonymous=200),
    Route("accounts:invitation", lambda w: {"token": "not-a-real-token"}, anonymous=404, default=404),
    Route("accounts:security"),
    # The PIN for the group tablet is for group staff.
    Route("accounts:tablet_pin", expect={"sanne": 200}, default=403),
    # The group tablet: set up by group staff; off a tablet its other pages have nothing to show.
    Route("tablet:setup", expect={"sanne": 200}, default=403),
    Route("tablet:lock", default=302),
    Route("tablet:unlock", lambda w: {"user_id": w.sanne.pk}, default=404),
    Route("tablet:lock_now", method="post", default=302),
    Route("tablet:ping", method="post", default=409),
    Route("tablet:leave", default=404),
    # Admins have a device already and go to the security page; others see the set-up page.
    Route("accounts:otp_setup", expect={"adam": 302, "oscar": 302}),
    Route("accounts:otp_verify", default=302),  # verified or without a device: on to the home page
    Route("accounts:otp_disable", method="post", default=302),
    # Bert's own session and app login: only Bert can end them.
    Route(
        "accounts:session_end",
        lambda w: {"session_id": w.bert_session.pk},
        method="post",
        default=404,
        expect={"bert": 302},
    ),
    Route(
        "accounts:token_revoke",
        lambda w: {"token_id": w.bert_token.pk},
        method="post",
        default=404,
        expect={"bert": 302},
    ),
    # Roles offered to a person: their own page; Bert's invitation is Bert's alone.
    Route("accounts:roles"),
    *[
        Route(
            f"accounts:{name}",
            lambda w: {"invitation_id": w.role_invitation.pk},
            method="post",
            default=404,
            expect={"bert": 302},
        )
        for name in ("role_accept", "role_decline")
    ],
    Route("home:home"),
    Route("messaging:quick_messages", lambda w: {"organisation_id": w.a.org.pk}, expect=NOT_ADMIN),
    Route(
        "messaging:quick_messages",
        lambda w: {"organisation_id": w.a.org.pk},
        method="post",
        default=302,
        expect=NOT_ADMIN,
    ),
    Route("planning:absence_range", lambda w: {"child_id": w.bo.pk}, default=404, expect={"anna": 200}),
    Route("home:push_offer_hide", method="post", default=302),
    # The app's tab for the diary: the one child's (or group's) page, or a list to choose from.
    Route("home:section", lambda w: {"name": "diary"}, expect={"bert": 302, "sanne": 302, "otto": 302}),
    Route("home:section", lambda w: {"name": "nothing"}, default=404),
    Route("home:child", lambda w: {"child_id": w.bo.pk}, expect={"bert": 404, "otto": 404, "oscar": 404}),
    # Photo consent: the child's guardians decide it (anyone else, staff and admins included: 404).
    Route("home:photo_consent", lambda w: {"child_id": w.bo.pk}, default=404, expect={"anna": 200}),
    Route(
        "home:photo_consent", lambda w: {"child_id": w.bo.pk}, method="post", default=404, expect={"anna": 400}
    ),  # no choice sent: a clear 400
    Route(
        "api:child_photo_consent",
        lambda w: {"child_id": w.bo.pk},
        method="put",
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 200},
        body=lambda w: {"consent": True},
    ),
    Route(
        "home:group",
        lambda w: {"group_id": w.a.babies.pk},
        expect={"anna": 403, "bert": 403, "otto": 404, "oscar": 404},
    ),
    Route(
        "home:location",
        lambda w: {"location_id": w.a.centrum.pk},
        expect={"anna": 403, "bert": 403, "sanne": 403, "otto": 404, "oscar": 404},
    ),
    Route("home:organisation", lambda w: {"organisation_id": w.a.org.pk}, expect=NOT_ADMIN),
    Route(
        "home:guardian_invite",
        lambda w: {"organisation_id": w.a.org.pk, "user_id": w.carla.pk},
        method="post",
        expect={**NOT_ADMIN, "adam": 302},
    ),
    # The back office: admins of the organisation only.
    *[
        Route(f"backoffice:{name}", lambda w, kw=kw: {"organisation_id": w.a.org.pk, **kw(w)}, expect=NOT_ADMIN)
        for name, kw in [
            ("children", lambda w: {}),
            ("child_create", lambda w: {}),
            ("child", lambda w: {"child_id": w.bo.pk}),
            ("locations", lambda w: {}),
            ("location_create", lambda w: {}),
            ("location_edit", lambda w: {"location_id": w.a.centrum.pk}),
            ("group_create", lambda w: {}),
            ("group_edit", lambda w: {"group_id": w.a.babies.pk}),
            ("staff", lambda w: {}),
            ("settings", lambda w: {}),
            ("history", lambda w: {}),
            ("import", lambda w: {}),
            ("import_preview", lambda w: {"batch_id": w.batch.pk}),
            ("erasure_requests", lambda w: {}),
            ("erasure_request", lambda w: {"request_id": w.erasure.pk}),
        ]
    ],
    # Erasure decided without a choice: a clear 400 (the request stays open).
    Route(
        "backoffice:erasure_request",
        lambda w: {"organisation_id": w.a.org.pk, "request_id": w.erasure.pk},
        method="post",
        expect={**NOT_ADMIN, "adam": 400},
    ),
    # Taking everything along: Lin leaves; only her guardian (Bert) sees the page and the archive.
    Route("exports:departure", lambda w: {"child_id": w.lin.pk}, default=404, expect={"bert": 200}),
    Route(
        "exports:departure_build", lambda w: {"child_id": w.lin.pk}, method="post", default=404, expect={"bert": 302}
    ),
    Route("exports:archive_status", lambda w: {"archive_id": w.archive.pk}, default=404, expect={"bert": 200}),
    Route("exports:archive_download", lambda w: {"archive_id": w.archive.pk}, default=404, expect={"bert": 200}),
    # The data export: a page for everyone (with an empty state); made for a guardian's organisation.
    Route("exports:data"),
    Route(
        "exports:data_build",
        lambda w: {"organisation_id": w.a.org.pk},
        method="post",
        default=404,
        expect={"anna": 302, "bert": 302},
    ),
    Route("privacy:overview"),
    Route("privacy:child", lambda w: {"child_id": w.lin.pk}, default=404, expect={"bert": 200}),
    Route(
        "privacy:child", lambda w: {"child_id": w.lin.pk}, method="post", default=404, expect={"bert": 400}
    ),  # not confirmed: a clear 400
    *[
        Route(name, lambda w: {"child_id": w.lin.pk}, api=True, anonymous=401, default=404, expect={"bert": 200})
        for name in ("api:departure", "api:access_log", "api:erasure_requests")
    ],
    Route(
        "api:departure_archive",
        lambda w: {"child_id": w.lin.pk},
        method="post",
        api=True,
        anonymous=401,
        default=404,
        expect={"bert": 202},
    ),
    Route(
        "api:erasure_ask",
        lambda w: {"child_id": w.lin.pk},
        method="post",
        api=True,
        anonymous=401,
        default=404,
        expect={"bert": 201},
        body=lambda w: {"note": ""},
    ),
    Route(
        "api:data_export",
        method="post",
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 202, "bert": 202},
        body=lambda w: {"organisation_id": w.a.org.pk},
    ),
    *[
        Route(name, lambda w: {"archive_id": w.archive.pk}, api=True, anonymous=401, default=404, expect={"bert": 200})
        for name in ("api:archive_status", "api:archive_file")
    ],
    # Posts without a body: a clear 400 with the form's errors, or a redirect with a message.
    *[
        Route(
            f"backoffice:{name}",
            lambda w, kw=kw: {"organisation_id": w.a.org.pk, **kw(w)},
            method="post",
            expect={**NOT_ADMIN, "adam": status},
        )
        for name, kw, status in [
            ("child_edit", lambda w: {"child_id": w.bo.pk}, 400),
            ("guardian_add", lambda w: {"child_id": w.bo.pk}, 400),
            ("guardian_remove", lambda w: {"child_id": w.bo.pk, "guardian_id": w.anna_of_bo.pk}, 302),
            ("placement_end", lambda w: {"placement_id": w.bo_placement.pk}, 400),
            ("placement_move", lambda w: {"placement_id": w.bo_placement.pk}, 400),
            ("placement_schedule", lambda w: {"placement_id": w.bo_placement.pk}, 302),
            ("staff_remove", lambda w: {"role": "group_staff", "role_id": w.sanne_role.pk}, 302),
            ("staff_invitation_withdraw", lambda w: {"invitation_id": w.role_invitation.pk}, 302),
            ("closing_day_remove", lambda w: {"closing_day_id": w.closing_day.pk}, 302),
        ]
    ],
    # Planning: the guardians' own pages (anyone else: 404, the child's planning is private).
    *[
        Route(f"planning:{name}", lambda w: {"child_id": w.bo.pk}, method=method, default=404, expect={"anna": status})
        for name, method, status in [
            ("calendar", "get", 200),
            ("credits", "get", 200),
            ("absence_report", "post", 400),
            ("extra_day_request", "post", 400),
            ("feed_create", "post", 302),
            ("feed_revoke", "post", 302),
        ]
    ],
    Route("planning:feed", lambda w: {"token": w.feed.token}, anonymous=200),  # the link is the key
    Route(
        "planning:request_withdraw",
        lambda w: {"request_id": w.request.pk},
        method="post",
        default=404,
        expect={"anna": 302},
    ),
    Route("planning:queue", expect={"anna": 403, "bert": 403, "sanne": 403, "otto": 403}),
    Route(
        "planning:decide",
        lambda w: {"request_id": w.request.pk},
        method="post",
        default=302,
        expect={"anna": 403, "bert": 403, "sanne": 403, "otto": 404, "oscar": 404},
    ),
    Route(
        "planning:approve_all", method="post", default=302, expect={"anna": 403, "bert": 403, "sanne": 403, "otto": 403}
    ),  # without the confirmation box: back to the queue with a message
    Route(
        "planning:day",
        lambda w: {"location_id": w.a.centrum.pk},
        expect={"anna": 403, "bert": 403, "otto": 404, "oscar": 404},
    ),
    # Photos: the families of the tagged children (Bo: anna) and the group's staff (sanne).
    Route("media:feed"),
    Route("media:detail", lambda w: {"media_id": w.photo.pk}, default=404, expect={"anna": 200, "sanne": 200}),
    *[
        Route(
            "media:file",
            lambda w, n=n: {"media_id": w.photo.pk, "name": n},
            default=404,
            expect={"anna": 200, "sanne": 200},
        )
        for n in ("thumb",)
    ],
    Route("media:edit", lambda w: {"media_id": w.photo.pk}, default=404, expect={"sanne": 200}),
    Route("media:tags", lambda w: {"media_id": w.photo.pk}, method="post", default=404, expect={"sanne": 302}),
    Route("media:delete", lambda w: {"media_id": w.photo.pk}, method="post", default=404, expect={"sanne": 302}),
    Route(
        "media:group",
        lambda w: {"group_id": w.a.babies.pk},
        default=403,
        expect={"sanne": 200, "otto": 404, "oscar": 404},
    ),
    Route(
        "media:upload",
        lambda w: {"group_id": w.a.babies.pk},
        method="post",
        default=403,
        expect={"sanne": 302, "otto": 404, "oscar": 404},
    ),
    # The diary: the child's guardians (anna) and the group's staff (sanne) only.
    Route("diary:child", lambda w: {"child_id": w.bo.pk}, default=404, expect={"anna": 200, "sanne": 200}),
    Route("diary:write", lambda w: {"child_id": w.bo.pk}, default=404, expect={"anna": 200, "sanne": 200}),
    Route("diary:edit", lambda w: {"child_id": w.bo.pk, "entry_id": w.entry.pk}, default=404, expect={"sanne": 200}),
    Route(
        "diary:export", lambda w: {"child_id": w.bo.pk}, method="post", default=404, expect={"anna": 302, "sanne": 302}
    ),
    Route(
        "diary:reply",
        lambda w: {"entry_id": w.entry.pk},
        method="post",
        default=404,
        expect={"anna": 302, "sanne": 302},
    ),
    Route(
        "diary:photo",
        lambda w: {"entry_id": w.entry.pk, "name": "thumb"},
        default=404,
        expect={"anna": 200, "sanne": 200},
    ),
    Route("diary:export_download", lambda w: {"export_id": w.export.pk}, default=404, expect={"anna": 200}),
    Route(
        "diary:group",
        lambda w: {"group_id": w.a.babies.pk},
        default=403,
        expect={"sanne": 200, "otto": 404, "oscar": 404},
    ),
    # The staff roster: planners of the location and admins.
    Route(
        "backoffice:roster",
        lambda w: {"location_id": w.a.centrum.pk},
        expect={"anna": 403, "bert": 403, "sanne": 403, "otto": 404, "oscar": 404},
    ),
    Route(
        "backoffice:roster_exception_remove",
        lambda w: {"location_id": w.a.centrum.pk, "exception_id": w.roster_exception.pk},
        method="post",
        expect={"anna": 403, "bert": 403, "sanne": 403, "otto": 404, "oscar": 404},
        default=302,
    ),
    Route("api:api-root", api=True, anonymous=404, default=404),
    Route("api:openapi-json", api=True, anonymous=200),
    # A path under the API without an endpoint.
    Route("api_not_found", lambda w: {"rest": "no/such/thing"}, api=True, anonymous=404, default=404),
    Route("api:openapi-view", api=True, anonymous=200),
    Route("api:token_create", method="post", api=True, anonymous=400, default=400),  # no body: a clear 400
    Route("api:token_revoke", method="delete", api=True, anonymous=401, default=204),
    Route("api:me", api=True, anonymous=401),
    *[
        Route(
            f"api:{name}", lambda w: {"child_id": w.bo.pk}, api=True, anonymous=401, default=404, expect={"anna": 200}
        )
        for name in ("calendar", "requests", "credits")
    ],
    Route(
        "api:absence_report",
        lambda w: {"child_id": w.bo.pk},
        method="post",
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 201},
        body=lambda w: {"date": "2026-11-30", "reason": "sick"},
    ),
    Route(
        "api:extra_day",
        lambda w: {"child_id": w.bo.pk},
        method="post",
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 201},
        body=lambda w: {"date": "2026-12-03", "day_parts": ["morning"]},
    ),
    Route(
        "api:withdraw",
        lambda w: {"request_id": w.request.pk},
        method="post",
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 200},
    ),
    Route("api:feed", api=True, anonymous=401),
    Route(
        "api:detail",
        lambda w: {"media_id": w.photo.pk},
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 200, "sanne": 200},
    ),
    Route(
        "api:media_file",
        lambda w: {"media_id": w.photo.pk, "name": "thumb"},
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 200, "sanne": 200},
    ),
    Route(
        "api:upload",
        lambda w: {"group_id": w.a.babies.pk},
        method="post",
        api=True,
        anonymous=401,
        default=403,
        expect={"sanne": 201, "otto": 404, "oscar": 404},
        form=lambda w: {"upload_key": "matrix-upload-1", "file": photo_upload()},
    ),
    Route(
        "api:set_tags",
        lambda w: {"media_id": w.photo.pk},
        method="put",
        api=True,
        anonymous=401,
        default=404,
        expect={"sanne": 200},
        body=lambda w: {"children": []},
    ),
    Route(
        "api:entries",
        lambda w: {"child_id": w.bo.pk},
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 200, "sanne": 200},
    ),
    Route(
        "api:write",
        lambda w: {"child_id": w.bo.pk},
        method="post",
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 201, "sanne": 201},
        body=lambda w: {"date": "2026-11-25", "text": "Goede nacht gehad"},
    ),
    Route(
        "api:reply",
        lambda w: {"entry_id": w.entry.pk},
        method="post",
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 201, "sanne": 201},
        body=lambda w: {"text": "Dank je!"},
    ),
    Route(
        "api:export",
        lambda w: {"child_id": w.bo.pk},
        method="post",
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 202, "sanne": 202},
        body=lambda w: {},
    ),
    Route(
        "api:export_status",
        lambda w: {"export_id": w.export.pk},
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 200},
    ),
    Route(
        "api:diary_export_file",
        lambda w: {"export_id": w.export.pk},
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 200},
    ),
    Route("api:queue", api=True, anonymous=401, expect={"anna": 403, "bert": 403, "sanne": 403, "otto": 403}),
    Route(
        "api:decide",
        lambda w: {"request_id": w.request.pk},
        method="post",
        api=True,
        anonymous=401,
        expect={"anna": 403, "bert": 403, "sanne": 403, "otto": 404, "oscar": 404},
        body=lambda w: {"approve": False, "note": "vol"},
    ),
    # ---- messaging (pages and API)
    # Messages: Bo's family (anna) and Baby's staff (sanne) read Bo's thread; Bert (another family
    # on the same group) and planners/admins get a 404; a group inbox is for its staff (403 else).
    Route("messaging:inbox", expect={"sanne": 302, "paula": 403, "adam": 403, "oscar": 403}),
    Route("messaging:new", expect={"sanne": 403, "paula": 403, "adam": 403, "oscar": 403}),
    Route(
        "messaging:new",
        method="post",
        expect={"anna": 302, "bert": 404, "otto": 404, "sanne": 403, "paula": 403, "adam": 403, "oscar": 403},
        form=lambda w: {"child": w.bo.pk, "body": "Oma haalt Bo op", "key": "matrix-new"},
    ),
    Route("messaging:thread", lambda w: {"thread_id": w.thread.pk}, default=404, expect={"anna": 200, "sanne": 200}),
    Route(
        "messaging:thread",
        lambda w: {"thread_id": w.thread.pk},
        method="post",
        default=404,
        expect={"anna": 302, "sanne": 302},
        form=lambda w: {"body": "Dank je", "key": "matrix-reply"},
    ),
    Route(
        "messaging:handled",
        lambda w: {"thread_id": w.thread.pk},
        method="post",
        default=404,
        expect={"anna": 403, "sanne": 302},
    ),
    Route(
        "messaging:attachment",
        lambda w: {"attachment_id": w.message_pdf.pk, "name": "brief.pdf"},
        default=404,
        expect={"anna": 200, "sanne": 200},
    ),
    *[
        Route(
            name, lambda w: {"group_id": w.a.babies.pk}, default=403, expect={"sanne": 200, "otto": 404, "oscar": 404}
        )
        for name in ("messaging:group_inbox", "messaging:group_new")
    ],
    Route(
        "messaging:group_new",
        lambda w: {"group_id": w.a.babies.pk},
        method="post",
        default=403,
        expect={"sanne": 302, "otto": 404, "oscar": 404},
        form=lambda w: {"to": w.bo.pk, "body": "Wil je zwemkleding meegeven?", "key": "matrix-group-new"},
    ),
    Route(
        "api:message_threads",
        api=True,
        anonymous=401,
        expect={"paula": 403, "adam": 403, "oscar": 403},
    ),
    Route(
        "api:message_thread_create",
        method="post",
        api=True,
        anonymous=401,
        expect={"anna": 201, "bert": 404, "otto": 404, "sanne": 422, "paula": 403, "adam": 403, "oscar": 403},
        form=lambda w: {"child_id": w.bo.pk, "body": "Oma haalt Bo op", "idempotency_key": "matrix-api-new"},
    ),
    Route(
        "api:message_thread_create",
        method="post",
        api=True,
        anonymous=401,
        default=403,
        expect={"sanne": 201, "otto": 404, "oscar": 404},
        form=lambda w: {"group_id": w.a.babies.pk, "child_id": w.bo.pk, "body": "Zwemkleding mee?"},
    ),
    Route(
        "api:message_thread",
        lambda w: {"thread_id": w.thread.pk},
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 200, "sanne": 200},
    ),
    Route(
        "api:message_reply",
        lambda w: {"thread_id": w.thread.pk},
        method="post",
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 201, "sanne": 201},
        form=lambda w: {"body": "Dank je", "idempotency_key": "matrix-api-reply"},
    ),
    Route(
        "api:message_read",
        lambda w: {"thread_id": w.thread.pk},
        method="post",
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 200, "sanne": 200},
    ),
    Route(
        "api:message_handled",
        lambda w: {"thread_id": w.thread.pk},
        method="post",
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 403, "sanne": 200},
    ),
    Route("api:message_unread", api=True, anonymous=401),
    Route(
        "api:message_attachment_file",
        lambda w: {"attachment_id": w.message_pdf.pk},
        api=True,
        anonymous=401,
        default=404,
        expect={"anna": 200, "sanne": 200},
    ),
    # ---- end of messaging
    # ---- news (pages and API)
    # News: an organisation-wide item with an image (everyone of Zonnebloem reads it), a Baby's
    # item (paula and adam manage it), a Peuters item scheduled for tomorrow (only its publishers).
    Route("news:list"),
    Route("news:detail", lambda w: {"item_id": w.news_item.pk}, expect={"otto": 404, "oscar": 404}),
    Route("news:detail", lambda w: {"item_id": w.news_group_item.pk}, expect={"otto": 404, "oscar": 404}),
    Route("news:detail", lambda w: {"item_id": w.news_scheduled.pk}, default=404, expect={"paula": 200, "adam": 200}),
    Route(
        "news:attachment",
        lambda w: {"attachment_id": w.news_image.pk, "name": w.news_image.original_name},
        expect={"otto": 404, "oscar": 404},
    ),
    Route("news:manage", expect={"anna": 403, "bert": 403, "sanne": 403, "otto": 403}),
    Route("news:create", expect={"anna": 403, "bert": 403, "sanne": 403, "otto": 403}),
    Route(
        "news:create", method="post", default=400, expect={"anna": 403, "bert": 403, "sanne": 403, "otto": 403}
    ),  # without a body: the form again, with its errors
    *[
        Route(
            f"news:{name}",
            lambda w: {"item_id": w.news_group_item.pk},
            method=method,
            default=status,
            expect=NEWS_STAFF,
        )
        for name, method, status in [
            ("edit", "get", 200),
            ("edit", "post", 400),
            ("delete", "get", 200),
            ("delete", "post", 302),
        ]
    ],
    Route(
        "news:edit", lambda w: {"item_id": w.news_item.pk}, expect={**NEWS_STAFF, "paula": 403}
    ),  # the whole organisation is the admin's
    Route(
        "news:delete",
        lambda w: {"item_id": w.news_item.pk},
        method="post",
        default=302,
        expect={**NEWS_STAFF, "paula": 403},
    ),
    Route("api:news_list", api=True, anonymous=401),
    Route(
        "api:news_detail",
        lambda w: {"item_id": w.news_item.pk},
        api=True,
        anonymous=401,
        expect={"otto": 404, "oscar": 404},
    ),
    Route(
        "api:news_detail",
        lambda w: {"item_id": w.news_scheduled.pk},
        api=True,
        anonymous=401,
        default=404,
        expect={"paula": 200, "adam": 200},
    ),
    Route(
        "api:news_attachment_file",
        lambda w: {"attachment_id": w.news_image.pk},
        api=True,
        anonymous=401,
        expect={"otto": 404, "oscar": 404},
    ),
    Route(
        "api:news_create",
        method="post",
        api=True,
        anonymous=401,
        default=201,
        expect=NEWS_STAFF,
        body=lambda w: {"audience": f"group:{w.a.babies.pk}", "title": "Pyjamadag", "body": "Vrijdag!"},
    ),
    Route(
        "api:news_delete",
        lambda w: {"item_id": w.news_group_item.pk},
        method="delete",
        api=True,
        anonymous=401,
        default=204,
        expect=NEWS_STAFF,
    ),
    # ---- end of news
    # ---- notifications and push (pages and API)
    Route("notifications:list"),
    Route(
        "notifications:open",  # Anna's notification: only she opens it (and goes where it points)
        lambda w: {"notification_id": w.notification.pk},
        default=404,
        expect={"anna": 302},
    ),
    Route("notifications:read_all", method="post", default=302),
    Route("notifications:settings"),
    Route("api:notification_list", api=True, anonymous=401),
    Route("api:notification_read", method="post", api=True, anonymous=401, body=lambda w: {"ids": [w.notification.pk]}),
    Route("api:preferences_get", api=True, anonymous=401),
    Route(
        "api:preferences_put",
        method="put",
        api=True,
        anonymous=401,
        body=lambda w: {"kinds": [{"kind": "photo", "push": False, "email": "off"}]},
    ),
    # Web push: each person's own devices. The manifest, service worker and offline page are public.
    Route("notifications:push_subscribe", method="post", default=400),  # no body: a clear 400
    Route("notifications:push_unsubscribe", method="post", default=400),
    Route(
        "notifications:push_device_remove",  # Bert's phone: only he removes it
        lambda w: {"subscription_id": w.bert_push.pk},
        method="post",
        default=404,
        expect={"bert": 302},
    ),
    Route("notifications:manifest", anonymous=200),
    Route("notifications:service_worker", anonymous=200),
    Route("notifications:offline", anonymous=200),
    Route("healthz", anonymous=200),  # for the load balancer: nothing personal in it
    Route("api:push_key", api=True, anonymous=401),
    Route(
        "api:device_register",
        method="post",
        api=True,
        anonymous=401,
        default=201,
        body=lambda w: {"endpoint": "https://fcm.googleapis.com/fcm/send/matrix", "keys": w.push_keys},
    ),
    Route("api:device_list", api=True, anonymous=401),
    Route(
        "api:device_delete",
        lambda w: {"device_id": w.bert_push.pk},
        method="delete",
        api=True,
        anonymous=401,
        default=404,
        expect={"bert": 204},
    ),
    # ---- end of notifications
]


def photo_upload():
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.media_files import png

    return SimpleUploadedFile("foto.png", png(16, 16), "image/png")


def ready_photo(world):
    """A processed photo of Baby's with Bo tagged, made without the worker."""
    from django.core.files.base import ContentFile

    from portal.media.models import MediaItem, MediaTag, Rendition
    from tests.media_files import png

    item = MediaItem.objects.create(
        organisation=world.a.org,
        group=world.a.babies,
        uploaded_by=world.sanne,
        upload_key="m",
        kind="photo",
        state="ready",
    )
    rendition = Rendition(media=item, name="thumb", content_type="image/jpeg", size=10)
    rendition.file.save("thumb.jpg", ContentFile(png(8, 8)), save=True)
    MediaTag.objects.create(media=item, child=world.bo)
    return item


def news_items(world):
    """An organisation-wide item with an image, a Baby's item, a Peuters item for tomorrow."""
    from portal.media.attachments import prepare_photo
    from portal.news.audience import NewsAudience
    from portal.news.services import item_create
    from tests.media_files import png

    org = world.a.org
    common = {"user": world.adam, "kind": "news", "body": "Tekst"}
    everyone = item_create(
        audience=NewsAudience(organisation=org),
        title="Kerst",
        prepared=[prepare_photo("boom.png", png(16, 16))],
        **common,
    )
    babies = item_create(audience=NewsAudience(organisation=org, group=world.a.babies), title="Pyjamadag", **common)
    later = item_create(
        audience=NewsAudience(organisation=org, group=world.a.toddlers),
        title="Morgen",
        publish_at=dt.datetime(2026, 11, 26, 8, 0, tzinfo=dt.UTC),
        **common,
    )
    return everyone, babies, later


def walk(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            if inner == "admin:":
                continue  # Django's admin, for installation operators: tested in test_operator_admin
            yield from walk(pattern, inner)
        else:
            yield namespace + (pattern.name or "<unnamed>")


def test_every_route_is_listed():
    listed = {route.name for route in ROUTES}
    present = set(walk(get_resolver()))
    assert present - listed == set(), "add these routes to the access matrix"
    assert listed - present == set(), "these listed routes no longer exist"


@pytest.fixture
def matrix_world(world):
    from django.contrib.sessions.backends.db import SessionStore

    store = SessionStore()
    store.create()
    world.bert_session = UserSession.objects.create(user=world.bert, session_key=store.session_key)
    world.bert_token, _raw = api_token_create(user=world.bert, device_name="Bert's phone")
    world.adam_unverified = world.adam
    world.anna_of_bo = Guardian.objects.get(user=world.anna, child=world.bo)
    world.sanne_role = GroupStaff.objects.get(user=world.sanne)
    world.role_invitation = RoleInvitation.objects.create(
        organisation=world.a.org, user=world.bert, role="planner", location=world.a.centrum
    )
    world.closing_day = ClosingDay.objects.create(location=world.a.centrum, date=dt.date(2026, 12, 25), name="Kerst")
    world.roster_exception = RosterException.objects.create(
        group=world.a.babies, date=dt.date(2026, 12, 1), day_part="morning", professionals=2
    )
    world.feed = CalendarFeed.objects.create(user=world.anna, child=world.bo)
    world.request = PlanningRequest.objects.create(
        child=world.bo,
        placement=world.bo_placement,
        group=world.a.babies,
        kind="extra_day",
        date=dt.date(2026, 12, 1),
        day_parts=["morning"],
        requested_by=world.anna,
    )
    world.photo = ready_photo(world)
    world.entry = DiaryEntry.objects.create(
        child=world.bo,
        group=world.a.babies,
        date=dt.date(2026, 11, 24),
        author=world.sanne,
        text="Fijne dag",
        state="published",
        media=world.photo,
    )
    world.export = DiaryExport(child=world.bo, requested_by=world.anna, pages=1)
    world.export.file.save("schriftje.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    world.batch = ImportBatch.objects.create(organisation=world.a.org, filename="a.csv", content=b"child_number\n")
    # ---- messaging objects
    from portal.messaging.models import Attachment, Message, Thread

    world.thread = Thread.objects.create(
        organisation=world.a.org, group=world.a.babies, child=world.bo, subject="Ophalen", started_by=world.anna
    )
    world.message = Message.objects.create(thread=world.thread, author=world.anna, body="Oma haalt Bo vandaag op")
    world.message_pdf = Attachment(
        message=world.message, kind="pdf", original_name="brief.pdf", content_type="application/pdf", size=13
    )
    world.message_pdf.file.save("brief.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    # ---- end of messaging objects
    # ---- news objects
    world.news_item, world.news_group_item, world.news_scheduled = news_items(world)
    world.news_image = world.news_item.attachments.get()
    # ---- end of news objects
    # ---- departure and privacy objects: Lin (Bert's) leaves at the end of the year
    from portal.exports.models import Archive
    from portal.privacy.models import ErasureRequest

    world.lin_placement.end_date = dt.date(2026, 12, 31)
    world.lin_placement.save()
    world.archive = Archive(
        organisation=world.a.org, kind="departure", child=world.lin, requested_by=world.bert, state="ready"
    )
    world.archive.file.save("lin.zip", ContentFile(b"PK\x05\x06" + b"\x00" * 18), save=True)
    world.erasure = ErasureRequest.objects.create(organisation=world.a.org, child=world.lin, requested_by=world.bert)
    # ---- end of departure and privacy objects
    # ---- notifications objects
    from portal.notifications.models import Notification

    world.notification = Notification.objects.create(
        user=world.anna, kind="diary", key="diary:1", title="Nieuw in het schriftje", url="/"
    )
    # Bert's phone for web push (an allowed push service; nothing is sent in the matrix).
    import secrets

    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from portal.notifications import push

    point = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    )
    world.push_keys = {"p256dh": push.b64url(point), "auth": push.b64url(secrets.token_bytes(16))}
    world.bert_push = push.subscribe(
        user=world.bert, endpoint="https://fcm.googleapis.com/fcm/send/bert-phone", **world.push_keys
    )
    # ---- end of notifications objects
    return world


CASES = [(route, role) for route in ROUTES for role in ROLES]


@pytest.mark.parametrize(("route", "role"), CASES, ids=[f"{r.name}-{role}" for r, role in CASES])
def test_route_for_role(client, matrix_world, route, role):
    w = matrix_world
    url = reverse(route.name, kwargs=route.kwargs(w) if route.kwargs else None)
    headers = {}
    verified = role != "adam_unverified"
    if role != "anonymous":
        user = getattr(w, role)
        if route.api:
            _token, raw = api_token_create(user=user, device_name="test", second_factor=verified)
            headers["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
        else:
            login(client, user, verified=verified)
    if role == "anonymous":
        expected = route.anonymous
    elif role == "adam_unverified":
        expected = unverified_expectation(route)
    else:
        expected = route.expect.get(role, route.default)
    if route.form is not None:
        response = client.post(url, route.form(w), **headers)
    elif route.body is not None:
        response = getattr(client, route.method)(
            url, json.dumps(route.body(w)), content_type="application/json", **headers
        )
    else:
        response = getattr(client, route.method)(url, **headers)
    assert response.status_code == expected, f"{route.method.upper()} {url} as {role}"
    if role == "anonymous" and expected == 302 and not route.api and route.method == "get" and route.name != "root":
        assert response["Location"].startswith(reverse("accounts:login"))


def unverified_expectation(route: Route) -> int:
    """An admin who has not given the second factor reaches nothing but the code page."""
    if route.api:
        public = ("api:openapi-json", "api:openapi-view", "api:token_create", "api:api-root", "api_not_found")
        return route.anonymous if route.name in public else 403
    if route.name == "accounts:otp_verify":
        return 200
    if route.name in GATE_FREE:
        return route.expect.get("adam", route.default)
    return 302  # to the code page


def test_bert_objects_survive_the_matrix(client, matrix_world):
    """Nobody else could end Bert's session or revoke his app."""
    for role in [r for r in ROLES[1:] if r != "bert"]:
        login(client, getattr(matrix_world, role), verified=role != "adam_unverified")
        client.post(reverse("accounts:session_end", args=[matrix_world.bert_session.pk]))
        client.post(reverse("accounts:token_revoke", args=[matrix_world.bert_token.pk]))
    assert UserSession.objects.filter(pk=matrix_world.bert_session.pk).exists()
    assert ApiToken.objects.get(pk=matrix_world.bert_token.pk).revoked_at is None


def test_operator_admin_is_for_operators_only(client, world):
    login(client, world.adam)  # an organisation admin is not an installation operator
    response = client.get("/operator/")
    assert response.status_code == 302 and "/operator/login/" in response["Location"]
    world.nobody.is_staff = True
    world.nobody.is_superuser = True
    world.nobody.save()
    login(client, world.nobody)
    # An operator without a second factor cannot enter either.
    assert client.get("/operator/").status_code == 302
    TOTPDevice.objects.create(user=world.nobody, name="app", confirmed=True)
    login(client, world.nobody)
    assert client.get("/operator/").status_code == 200


def test_operator_login_is_throttled(client, world):
    for _ in range(5):
        client.post("/operator/login/", {"username": "nobody@example.test", "password": "wrong", "otp_token": "1"})
    response = client.post(
        "/operator/login/", {"username": "nobody@example.test", "password": "a-Long-test-passw0rd", "otp_token": "1"}
    )
    assert response.status_code == 429
