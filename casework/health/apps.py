from django.apps import AppConfig


class HealthConfig(AppConfig):
    name = "casework.health"
    label = "health"
    verbose_name = "Health"

    def ready(self) -> None:
        from celery.signals import after_task_publish

        from casework.health.checks import record_beat_send

        # Runs in whatever process publishes the documents sweep: the beat process.
        after_task_publish.connect(record_beat_send, dispatch_uid="health-beat-send")
