"""The staff pages of complaints against intermediaries (the public ones: public_urls)."""

from django.urls import path

from casework.complaints.views import case, intake, intermediaries, queue

app_name = "complaints"
urlpatterns = [
    path("", queue.queue_page, name="queue"),
    path("new/", intake.file_complaint, name="new"),
    path("intermediaries/", intermediaries.intermediary_list, name="intermediaries"),
    path("intermediaries/<int:pk>/", intermediaries.intermediary_detail, name="intermediary"),
    path("<str:code>/", case.detail, name="detail"),
    path("<str:code>/take/", queue.take, name="take"),
    path("<str:code>/reassign/", case.reassign, name="reassign"),
    path("<str:code>/contact/", case.contact, name="contact"),
    path("<str:code>/evidence/new/", case.evidence, name="evidence_add"),
    path("<str:code>/evidence/<int:pk>/", case.evidence_file, name="evidence_file"),
    path("<str:code>/respondent/", case.respondent, name="respondent"),
    path("<str:code>/respondent/new/", case.respondent_new, name="respondent_new"),
    path("<str:code>/supplement/", case.supplement_request, name="supplement_request"),
    path("<str:code>/supplement/received/", case.supplement_receive, name="supplement_receive"),
    path("<str:code>/accept/", case.accept, name="accept"),
    path("<str:code>/not-accept/", case.not_accept, name="not_accept"),
    path("<str:code>/investigation/", case.start_investigation, name="start_investigation"),
    path("<str:code>/interviews/new/", case.interview, name="interview"),
    path("<str:code>/extension/", case.extension_request, name="extension_request"),
    path("<str:code>/extension/decide/", case.extension_decide, name="extension_decide"),
    path("<str:code>/decision/", case.decide, name="decide"),
    path("<str:code>/hearing/", case.hear, name="hear"),
    path("<str:code>/close/", case.close, name="close"),
    path("<str:code>/refer/", case.refer, name="refer"),
    path("<str:code>/feedback/", case.feedback, name="feedback"),
    path("<str:code>/penalty-decision/", case.penalty_decision, name="penalty_decision"),
]
