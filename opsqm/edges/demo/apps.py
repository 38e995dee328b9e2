from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "opsqm.edges.demo"
    label = "demo"
    verbose_name = "Demo bureau"
