from django.urls import path

from casework.legalaid import views

app_name = "legalaid"

urlpatterns = [
    path("", views.referral_list, name="list"),
    path("refer/<slug:workflow>/<str:code>/", views.refer, name="refer"),
    path("<int:pk>/answer/", views.answer, name="answer"),
    path("<int:pk>/outcome/", views.outcome, name="outcome"),
]
