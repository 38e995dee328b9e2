from django.urls import path

from opsqm.derived.reports import schedule_views as sv
from opsqm.derived.reports import views

app_name = "reports"
urlpatterns = [
    # before "<code>/": the scheduled reports (issue 15 §3)
    path("schedules/", sv.schedule_list, name="schedules"),
    path("schedules/new/", sv.schedule_create, name="schedule_create"),
    path("schedules/<int:pk>/", sv.schedule_detail, name="schedule"),
    path("schedules/<int:pk>/edit/", sv.schedule_edit, name="schedule_edit"),
    path("schedules/<int:pk>/send-now/", sv.schedule_send_now, name="schedule_send_now"),
    path("schedules/runs/<int:pk>/retry/", sv.run_retry, name="run_retry"),
    path("<str:code>/", views.index, name="index"),
    path("<str:code>/<slug:kind>/<str:label>.<slug:fmt>", views.download, name="download"),
    path("<str:code>/<slug:kind>/<str:label>/register/", views.register, name="register"),
]
