from django.urls import path

from opsqm.facts.attendance import punch_views, views

app_name = "attendance"
urlpatterns = [
    path("", views.index, name="index"),
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_detail, name="import_detail"),
    path("imports/people/<int:pk>/map/", views.unmatched_map, name="unmatched_map"),
    path("imports/people/<int:pk>/dismiss/", views.unmatched_dismiss, name="unmatched_dismiss"),
    path("contracts/<int:pk>/", views.month, name="month"),
    path("contracts/<int:pk>/result.xlsx", views.month_xlsx, name="month_xlsx"),
    path("staff/<int:pk>/<str:day>/", views.day, name="day"),
    path("punches/<int:pk>/confirm/", punch_views.confirm, name="punch_confirm"),
    path("punches/<int:pk>/withdraw/", punch_views.withdraw, name="punch_withdraw"),
    path("leave/", views.leaves, name="leaves"),
    path("leave/new/", views.leave_create, name="leave_create"),
    path("leave/<int:pk>/", views.leave_detail, name="leave_detail"),
    path("leave/<int:pk>/decide/", views.leave_decide, name="leave_decide"),
    path("calendar/", views.calendar_years, name="calendar"),
    path("calendar/<int:year>/", views.calendar_year, name="calendar_year"),
    path("calendar/days/<int:pk>/remove/", views.calendar_day_remove, name="calendar_day_remove"),
    path("unit-heads/", views.unit_heads, name="unit_heads"),
    path("unit-heads/<int:pk>/remove/", views.unit_head_remove, name="unit_head_remove"),
    path("demands/", views.demands, name="demands"),
]
