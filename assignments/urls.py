from django.urls import path

from assignments import views

urlpatterns = [
    path("presence/", views.presence_set, name="presence-set"),
    path("presence/bar/", views.presence_bar, name="presence-bar"),
    path("offers/<int:offer_id>/accept/", views.offer_accept, name="offer-accept"),
    path("offers/<int:offer_id>/decline/", views.offer_decline, name="offer-decline"),
]
