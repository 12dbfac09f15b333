from django.urls import path

from agreements.views import case, counter, listing

app_name = "agreements"
urlpatterns = [
    path("", listing.agreement_list, name="list"),
    path("new/", counter.agreement_new, name="new"),
    path("outbox/", listing.outbox, name="outbox"),
    path("<str:code>/", case.detail, name="detail"),
    path("<str:code>/reveal/", case.reveal, name="reveal"),
    path("<str:code>/edit/", case.edit, name="edit"),
    path("<str:code>/send/", case.send, name="send"),
    path("<str:code>/cancel/", case.cancel, name="cancel"),
    path("<str:code>/checks/<str:who>/", case.check, name="check"),
    path("<str:code>/verify/<str:who>/", case.verify, name="verify"),
    path("<str:code>/code/<str:party>/", case.code_send, name="code_send"),
    path("<str:code>/sign/<str:party>/", case.sign, name="sign"),
    path("<str:code>/complete/", case.complete, name="complete"),
    path("<str:code>/terminate/", case.terminate, name="terminate"),
    path("<str:code>/change/", case.change, name="change"),
]
