from django.urls import path

from opsqm.facts.tickets.views import actions, board, intake, mail, signing, ticket

app_name = "tickets"

urlpatterns = [
    path("", board.board, name="board"),
    path("new/", intake.intake, name="new"),
    path("security/new/", intake.security_intake, name="security_new"),
    path("mine/", board.mine, name="mine"),
    path("unit/", board.unit_tickets, name="unit"),
    path("at-risk/", board.at_risk_page, name="at_risk"),
    path("refused-mail/", board.refused_mail, name="refused_mail"),
    path("sign/<str:token>/", signing.sign_token, name="sign_token"),
    path("<int:pk>/", ticket.detail, name="detail"),
    path("<int:pk>/cost/", ticket.cost, name="cost"),
    path("<int:pk>/files/<int:att>/", ticket.attachment, name="attachment"),
    path("<int:pk>/signature.png", ticket.signature_image, name="signature_image"),
    path("<int:pk>/call/", actions.vendor_call, name="call"),
    path("<int:pk>/phone-resolve/", actions.phone_resolve, name="phone_resolve"),
    path("<int:pk>/dispatch/", actions.dispatch, name="dispatch"),
    path("<int:pk>/acknowledge/", actions.acknowledge, name="acknowledge"),
    path("<int:pk>/work/", actions.work, name="work"),
    path("<int:pk>/form/", actions.form_upload, name="form_upload"),
    path("<int:pk>/extension/", actions.extension_request, name="extension"),
    path("<int:pk>/extension/<int:ext>/decide/", actions.extension_decide, name="extension_decide"),
    path("<int:pk>/findings/<int:finding>/close/", actions.finding_close, name="finding_close"),
    path("<int:pk>/resolve/", actions.resolve, name="resolve"),
    path("<int:pk>/sign/", signing.sign, name="sign"),
    path("<int:pk>/sign-link/", actions.sign_link, name="sign_link"),
    path("<int:pk>/no-signature/", actions.no_signature, name="no_signature"),
    path("<int:pk>/phone-confirm/", actions.phone_confirm, name="phone_confirm"),
    path("<int:pk>/improper-archive/", actions.improper, name="improper"),
    path("<int:pk>/resend/<int:outbound>/", mail.resend_mail, name="resend_mail"),
]
