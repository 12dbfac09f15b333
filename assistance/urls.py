from django.urls import path

from assistance.views import application, case, posts, queue, uploads

app_name = "assistance"
urlpatterns = [
    path("", queue.queue_page, name="queue"),
    path("new/", application.apply, name="apply"),
    path("posts/", posts.post_list, name="posts"),
    path("posts/<int:pk>/", posts.post_detail, name="post"),
    path("<str:code>/", case.detail, name="detail"),
    path("<str:code>/documents/<int:pk>/", uploads.document_file, name="document_file"),
    path("<str:code>/take/", case.take, name="take"),
    path("<str:code>/propose/", case.propose, name="propose"),
    path("<str:code>/decline/", case.decline, name="decline"),
    path("<str:code>/certify/", case.certify, name="certify"),
    path("<str:code>/tier/", case.tier, name="tier"),
    path("<str:code>/plan/new/", case.plan_item_add, name="plan_item_add"),
    path("<str:code>/plan/<int:pk>/done/", case.plan_item_done, name="plan_item_done"),
    path("<str:code>/plan/start/", case.plan_start, name="plan_start"),
    path("<str:code>/referrals/employer/", case.refer_employer, name="refer_employer"),
    path("<str:code>/referrals/post/", case.refer_post, name="refer_post"),
    path("<str:code>/referrals/<int:pk>/outcome/", case.referral_outcome, name="referral_outcome"),
    path("<str:code>/referrals/<int:pk>/release/", case.referral_release, name="referral_release"),
    path("<str:code>/referrals/<int:pk>/place/", case.placement_propose, name="placement_propose"),
    path("<str:code>/placement/approve/", case.placement_approve, name="placement_approve"),
    path("<str:code>/placement/refuse/", case.placement_refuse, name="placement_refuse"),
    path("<str:code>/placements/<int:pk>/start/", case.placement_start, name="placement_start"),
    path("<str:code>/placements/<int:pk>/end/", case.placement_end, name="placement_end"),
    path("<str:code>/follow-up/", case.follow_up, name="follow_up"),
    path("<str:code>/withdraw/", case.withdraw, name="withdraw"),
    path("<str:code>/close/", case.close, name="close"),
]
