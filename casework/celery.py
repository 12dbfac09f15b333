import os

from celery import Celery
from celery.signals import setup_logging

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "casework.settings")

app = Celery("casework")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def _keep_django_logging(**_kwargs) -> None:
    # The worker keeps Django's LOGGING (settings.py): the same format, the request id
    # and the masking of personal data, instead of Celery's own root handler.
    return None
