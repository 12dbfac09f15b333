from django.urls import path

from casework.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.index, name="index"),
    path("directory.json", views.feed_json, name="feed_json"),
    path("directory.geojson", views.feed_geojson, name="feed_geojson"),
    path("map/", views.map_view, name="map"),
    path("<slug:code>/card.pdf", views.card, name="card"),
    path("<slug:code>/figures/", views.month_figures, name="figures"),
]
