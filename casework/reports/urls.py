from django.urls import path

from casework.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:slug>/", views.workflow, name="workflow"),
    path("<slug:slug>/data.json", views.chart_data, name="data"),
    path("<slug:slug>/ledger.xlsx", views.ledger, {"fmt": "xlsx"}, name="ledger_xlsx"),
    path("<slug:slug>/ledger.csv", views.ledger, {"fmt": "csv"}, name="ledger_csv"),
    path("<slug:slug>/compare/", views.compare, name="compare"),
    path("<slug:slug>/targets/", views.targets, name="targets"),
]
