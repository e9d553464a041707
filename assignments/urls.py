from django.urls import path

from assignments import views, views_supervisor

urlpatterns = [
    path("presence/", views.presence_set, name="presence-set"),
    path("presence/bar/", views.presence_bar, name="presence-bar"),
    path("offers/<int:offer_id>/accept/", views.offer_accept, name="offer-accept"),
    path("offers/<int:offer_id>/decline/", views.offer_decline, name="offer-decline"),
    # The supervisor pages.
    path("supervisor/", views_supervisor.supervisor_staff, name="supervisor-home"),
    path(
        "supervisor/staff/<int:staff_id>/presence/",
        views_supervisor.supervisor_presence_set,
        name="supervisor-presence-set",
    ),
    path("supervisor/backlog/", views_supervisor.supervisor_backlog, name="supervisor-backlog"),
    path("supervisor/backlog/cases/", views_supervisor.supervisor_backlog_cases, name="supervisor-backlog-cases"),
    path(
        "supervisor/cases/<int:case_id>/routing/",
        views_supervisor.supervisor_case_routing,
        name="supervisor-case-routing",
    ),
    path(
        "supervisor/cases/<int:case_id>/routing/assign/",
        views_supervisor.supervisor_case_assign,
        name="supervisor-case-assign",
    ),
    path(
        "supervisor/cases/<int:case_id>/routing/release/",
        views_supervisor.supervisor_case_release,
        name="supervisor-case-release",
    ),
    path("supervisor/charts/", views_supervisor.supervisor_charts, name="supervisor-charts"),
]
