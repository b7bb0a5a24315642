from django.apps import AppConfig


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "การประเมิน ITA"

    def ready(self):
        from . import signals  # noqa: F401  (connects the framework-token receivers)
