from django.apps import AppConfig


class DiaryConfig(AppConfig):
    name = "portal.diary"
    label = "diary"
