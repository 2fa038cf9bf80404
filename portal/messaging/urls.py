from django.urls import path

from portal.messaging import views

app_name = "messaging"
urlpatterns = [
    path("messages/", views.inbox, name="inbox"),
    path("messages/new/", views.new, name="new"),
    path("messages/<int:thread_id>/", views.thread, name="thread"),
    path("messages/<int:thread_id>/handled/", views.handled, name="handled"),
    path("messages/attachments/<int:attachment_id>/<str:name>/", views.attachment, name="attachment"),
    path("manage/<int:organisation_id>/quick-messages/", views.quick_messages_edit, name="quick_messages"),
    path("groups/<int:group_id>/inbox/", views.group_inbox, name="group_inbox"),
    path("groups/<int:group_id>/messages/new/", views.group_new, name="group_new"),
]
