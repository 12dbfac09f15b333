"""Public pages (no login): the complaint form, tracking by code, the list of sanctions."""

from django.urls import path

app_name = "complaints_public"
urlpatterns: list = []
