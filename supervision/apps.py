from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = "การกำกับดูแล"

    def ready(self):
        from . import cache, status

        cache.connect()
        status.connect()
