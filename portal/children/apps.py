from django.apps import AppConfig


class ChildrenConfig(AppConfig):
    name = "portal.children"
    label = "children"
