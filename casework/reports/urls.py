from django.urls import path

from casework.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("monthly/reports/", views.monthly_reports, name="monthly_reports"),
    path("monthly/tables/<int:pk>/", views.monthly_copy, name="monthly_copy"),
    path("monthly/tables/<int:pk>/pdf/", views.monthly_copy_pdf, name="monthly_copy_pdf"),
    path("<slug:slug>/", views.workflow, name="workflow"),
    path("<slug:slug>/data.json", views.chart_data, name="data"),
    path("<slug:slug>/ledger.xlsx", views.ledger, {"fmt": "xlsx"}, name="ledger_xlsx"),
    path("<slug:slug>/ledger.csv", views.ledger, {"fmt": "csv"}, name="ledger_csv"),
    path("<slug:slug>/compare/", views.compare, name="compare"),
    path("<slug:slug>/targets/", views.targets, name="targets"),
    path("<slug:slug>/monthly.xlsx", views.monthly_xlsx, name="monthly_xlsx"),
    path("<slug:slug>/monthly.pdf", views.monthly_pdf, name="monthly_pdf"),
]
