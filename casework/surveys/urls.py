"""The survey page (public, the link in the text) and the results for supervisors."""

from django.urls import path

from casework.surveys import views

app_name = "surveys"
urlpatterns = [
    path("survey/<str:token>/", views.answer, name="answer"),
    path("surveys/results/", views.results, name="results"),
]
