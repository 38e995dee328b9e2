from django.urls import path

from opsqm.derived.acceptance import views

app_name = "acceptance"
urlpatterns = [
    path("", views.index, name="index"),
    path("deliverable/<int:pk>/", views.deliverable, name="deliverable"),
    path("deliverable/<int:pk>/upload/", views.upload, name="upload"),
    path("deliverable/<int:pk>/submit/", views.submit, name="submit"),
    path("deliverable/<int:pk>/review/", views.review_document, name="review_document"),
    path("version/<int:pk>/", views.version_file, name="version_file"),
    path("package/<int:pk>/", views.package_file, name="package_file"),
    path("inspection/<int:pk>/", views.inspection, name="inspection"),
    path("inspection/<int:pk>/complete/", views.inspection_complete, name="inspection_complete"),
    path("inspection/<int:pk>/print.pdf", views.inspection_pdf, name="inspection_pdf"),
    path("result/<int:pk>/photo/", views.result_photo, name="result_photo"),
    path("result/<int:pk>/ticket/", views.result_ticket, name="result_ticket"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/settings/", views.settings_view, name="settings"),
    path("<str:code>/apply/", views.apply, name="apply"),
    path("<str:code>/review/", views.review_application, name="review"),
    path("<str:code>/accept/", views.accept, name="accept"),
    path("<str:code>/package/", views.package, name="package"),
    path("<str:code>/checklist/", views.checklist, name="checklist"),
    path("<str:code>/inspections/", views.inspections, name="inspections"),
]
