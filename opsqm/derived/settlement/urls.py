from django.urls import path

from opsqm.derived.settlement import views

app_name = "settlement"
urlpatterns = [
    path("", views.index, name="index"),
    path("<str:code>.xlsx", views.xlsx, name="xlsx"),
    path("<str:code>.pdf", views.pdf, name="pdf"),
    path("<str:code>.docx", views.docx, name="docx"),
    path("<str:code>/", views.detail, name="detail"),
    path("<str:code>/create/", views.create, name="create"),
    path("<str:code>/submit/", views.submit, name="submit"),
    path("<str:code>/review/", views.review, name="review"),
    path("<str:code>/sign/", views.sign, name="sign"),
    path("<str:code>/reopen/", views.reopen, name="reopen"),
]
