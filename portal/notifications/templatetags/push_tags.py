"""`{% push_panel as panel %}`: what templates/notifications/_push.html shows, so that any page
can include the partial without its view preparing anything."""

from __future__ import annotations

from django import template

from portal.notifications import push

register = template.Library()


@register.simple_tag(takes_context=True)
def push_panel(context) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"public_key": "", "devices": []}
    devices = [
        {
            "id": d.pk,
            "name": d.device_name,
            "created_at": d.created_at,
            "last_success_at": d.last_success_at,
            "hash": push.endpoint_hash(d.endpoint),
        }
        for d in push.devices_of(user)
    ]
    return {"public_key": push.public_key(), "devices": devices}
