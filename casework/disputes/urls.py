from django.urls import path

from casework.disputes.views import arbitration, case, intake, queue

app_name = "disputes"
urlpatterns = [
    path("", queue.queue_page, name="queue"),
    path("take-next/", queue.take_next, name="take_next"),
    path("new/", intake.file_written, name="file"),
    path("new/oral/", intake.file_oral, name="file_oral"),
    path("arbitration/", arbitration.awaiting, name="arbitration_awaiting"),
    path("<str:code>/", case.detail, name="detail"),
    path("<str:code>/take/", queue.take, name="take"),
    path("<str:code>/reassign/", queue.reassign_case, name="reassign"),
    path("<str:code>/accept/", case.accept, name="accept"),
    path("<str:code>/refuse/", case.refuse, name="refuse"),
    path("<str:code>/evidence/new/", case.evidence_new, name="evidence_new"),
    path("<str:code>/evidence/<int:pk>/", case.evidence_file, name="evidence_file"),
    path("<str:code>/sessions/new/", case.session_new, name="session_new"),
    path("<str:code>/sessions/schedule/", case.session_schedule, name="session_schedule"),
    path("<str:code>/extend/", case.extend, name="extend"),
    path("<str:code>/settle/", case.settle, name="settle"),
    path("<str:code>/revise/", case.revise, name="revise"),
    path("<str:code>/marks/", case.mark, name="mark"),
    path("<str:code>/terminate/", case.terminate, name="terminate"),
    path("<str:code>/withdraw/", case.withdraw, name="withdraw"),
    path("<str:code>/payments/new/", case.payment_new, name="payment_new"),
    path("<str:code>/default/", case.mark_defaulted, name="default"),
    path("<str:code>/refer/", case.refer, name="refer"),
    path("<str:code>/close/", case.close, name="close"),
    path("<str:code>/arbitration/handoff/", arbitration.handoff, name="arbitration_handoff"),
    path("<str:code>/arbitration/filing/", arbitration.filing, name="arbitration_filing"),
    path("<str:code>/arbitration/result/", arbitration.result, name="arbitration_result"),
]
