from django.urls import path

from casework.complaints.views import queue

app_name = "complaints"
urlpatterns = [
    path("", queue.queue_page, name="queue"),
]
