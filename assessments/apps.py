from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "การประเมิน ITA"

    def ready(self):
        from . import analysis_cache

        analysis_cache.connect()
