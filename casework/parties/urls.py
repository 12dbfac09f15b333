from django.urls import path

from casework.parties import views

app_name = "parties"
urlpatterns = [
    path("", views.people, name="people"),
    path("new/", views.person_create, name="person_create"),
    path("<int:pk>/", views.person_detail, name="person"),
    path("<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path(
        "<int:pk>/checks/",
        views.real_name_check_create,
        {"party": "person"},
        name="person_check",
    ),
    path("organisations/", views.organizations, name="organizations"),
    path("organisations/new/", views.organization_create, name="organization_create"),
    path("organisations/<int:pk>/", views.organization_detail, name="organization"),
    path(
        "organisations/<int:pk>/checks/",
        views.real_name_check_create,
        {"party": "organization"},
        name="organization_check",
    ),
]
