from django.urls import path

from opsqm.facts.tickets import mail_views, views

app_name = "tickets"

urlpatterns = [
    path("", views.board, name="board"),
    path("new/", views.intake, name="new"),
    path("security/new/", views.security_intake, name="security_new"),
    path("mine/", views.mine, name="mine"),
    path("unit/", views.unit_tickets, name="unit"),
    path("at-risk/", views.at_risk_page, name="at_risk"),
    path("refused-mail/", views.refused_mail, name="refused_mail"),
    path("sign/<str:token>/", views.sign_token, name="sign_token"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/cost/", views.cost, name="cost"),
    path("<int:pk>/files/<int:att>/", views.attachment, name="attachment"),
    path("<int:pk>/signature.png", views.signature_image, name="signature_image"),
    path("<int:pk>/call/", views.vendor_call, name="call"),
    path("<int:pk>/phone-resolve/", views.phone_resolve, name="phone_resolve"),
    path("<int:pk>/dispatch/", views.dispatch, name="dispatch"),
    path("<int:pk>/acknowledge/", views.acknowledge, name="acknowledge"),
    path("<int:pk>/work/", views.work, name="work"),
    path("<int:pk>/form/", views.form_upload, name="form_upload"),
    path("<int:pk>/extension/", views.extension_request, name="extension"),
    path("<int:pk>/extension/<int:ext>/decide/", views.extension_decide, name="extension_decide"),
    path("<int:pk>/findings/<int:finding>/close/", views.finding_close, name="finding_close"),
    path("<int:pk>/resolve/", views.resolve, name="resolve"),
    path("<int:pk>/sign/", views.sign, name="sign"),
    path("<int:pk>/sign-link/", views.sign_link, name="sign_link"),
    path("<int:pk>/no-signature/", views.no_signature, name="no_signature"),
    path("<int:pk>/phone-confirm/", views.phone_confirm, name="phone_confirm"),
    path("<int:pk>/improper-archive/", views.improper, name="improper"),
    path("<int:pk>/resend/<int:outbound>/", mail_views.resend_mail, name="resend_mail"),
]
