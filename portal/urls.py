from django.urls import path

from casework.complaints.views import portal as complaints
from portal import views

app_name = "portal"
urlpatterns = [
    path("", views.home, name="home"),
    path("disputes/new/", views.dispute_new, name="dispute_new"),
    path("disputes/<str:code>/", views.dispute_detail, name="dispute"),
    path("disputes/<str:code>/withdraw/", views.dispute_withdraw, name="dispute_withdraw"),
    path("agreements/<str:code>/", views.agreement_detail, name="agreement"),
    path("agreements/<str:code>/code/", views.agreement_code, name="agreement_code"),
    path("agreements/<str:code>/sign/", views.agreement_sign, name="agreement_sign"),
    path("agreements/<str:code>/complete/", views.agreement_complete, name="agreement_complete"),
    path("agreements/<str:code>/payment/", views.agreement_payment, name="agreement_payment"),
    path("complaints/new/", complaints.complaint_new, name="complaint_new"),
    path("complaints/<str:code>/", complaints.complaint_detail, name="complaint"),
]
