from django.urls import path

from portal.backoffice import views

app_name = "backoffice"
org = "manage/<int:organisation_id>/"
urlpatterns = [
    path(f"{org}children/", views.children, name="children"),
    path(f"{org}children/new/", views.child_create, name="child_create"),
    path(f"{org}children/<int:child_id>/", views.child_detail, name="child"),
    path(f"{org}children/<int:child_id>/edit/", views.child_edit, name="child_edit"),
    path(f"{org}children/<int:child_id>/guardians/add/", views.guardian_add, name="guardian_add"),
    path(
        f"{org}children/<int:child_id>/guardians/<int:guardian_id>/remove/",
        views.guardian_remove,
        name="guardian_remove",
    ),
    path(f"{org}placements/<int:placement_id>/end/", views.placement_end, name="placement_end"),
    path(f"{org}placements/<int:placement_id>/move/", views.placement_move, name="placement_move"),
    path(f"{org}placements/<int:placement_id>/schedule/", views.placement_schedule, name="placement_schedule"),
    path(f"{org}locations/", views.locations, name="locations"),
    path(f"{org}locations/new/", views.location_edit, name="location_create"),
    path(f"{org}locations/<int:location_id>/edit/", views.location_edit, name="location_edit"),
    path(f"{org}groups/new/", views.group_edit, name="group_create"),
    path(f"{org}groups/<int:group_id>/edit/", views.group_edit, name="group_edit"),
    path(f"{org}staff/", views.staff, name="staff"),
    path(f"{org}staff/<str:role>/<int:role_id>/remove/", views.staff_remove, name="staff_remove"),
    path(
        f"{org}staff/invitations/<int:invitation_id>/withdraw/",
        views.staff_invitation_withdraw,
        name="staff_invitation_withdraw",
    ),
    path(f"{org}settings/", views.settings_page, name="settings"),
    path(f"{org}closing-days/<int:closing_day_id>/remove/", views.closing_day_remove, name="closing_day_remove"),
    path(f"{org}history/", views.history, name="history"),
    path(f"{org}privacy/erasure/", views.erasure_requests, name="erasure_requests"),
    path(f"{org}privacy/erasure/<int:request_id>/", views.erasure_request, name="erasure_request"),
    path(f"{org}import/", views.import_upload, name="import"),
    path(f"{org}import/<int:batch_id>/", views.import_preview, name="import_preview"),
    path("roster/<int:location_id>/", views.roster, name="roster"),
    path(
        "roster/<int:location_id>/exceptions/<int:exception_id>/remove/",
        views.roster_exception_remove,
        name="roster_exception_remove",
    ),
]
