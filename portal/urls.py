from django.urls import path

from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("disputes/new/", views.dispute_new, name="dispute_new"),
    path("disputes/<str:code>/", views.dispute_detail, name="dispute"),
    path("disputes/<str:code>/withdraw/", views.dispute_withdraw, name="dispute_withdraw"),
]
