from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "congdanso.web"
    label = "web"
    verbose_name = "Site"
