"""The printed ticket form and its verification page, mounted at /tickets/ next to
the ticket pages (opsqm.facts.tickets.urls) under their own namespace."""

from django.urls import path

from opsqm.facts.tickets import print_views

app_name = "tickets_print"
urlpatterns = [
    path("<int:pk>/form.pdf", print_views.ticket_pdf, name="pdf"),
    path("<int:pk>/form.docx", print_views.ticket_docx, name="docx"),
    path("verify/", print_views.verify, name="verify"),
]
