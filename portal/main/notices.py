"""The notices for clients on every page of a signed-in client's cabinet (base.html's banner), and «Скрыть»: a notice
dismissed stays hidden for the rest of the session and is shown again at the next sign-in.

The notices come loaded with the client by the session's check (portal.cabinet.service.client_with_contracts), so
the banner costs no query; support staff looking at a client's cabinet see them too, without the button.
"""

from __future__ import annotations

from flask import abort, g, make_response, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required

from portal.auth.forms import EmptyForm
from portal.auth.views import safe_next
from portal.cabinet.service import NoticeShown, notices_shown
from portal.i18n import current_language
from portal.main import bp
from portal.rendering import is_htmx_request, redirect_to

# The ids of the notices this session's client dismissed; start_session clears the session, so a new sign-in
# shows them again.
DISMISSED = "dismissed_notices"


@bp.app_context_processor
def notices_context() -> dict[str, object]:
    """The notices of the client whose cabinet the page shows, in the page's language; none on other pages."""
    viewed = g.get("viewed_client")
    shown: list[NoticeShown] = []
    if viewed is not None:
        shown = notices_shown(viewed, current_language(), ())
    elif current_user.is_authenticated:
        shown = notices_shown(current_user._get_current_object(), current_language(), session.get(DISMISSED, []))
    return {"client_notices": shown}


@bp.post("/notices/<int:notice_id>/dismiss")
@login_required
def dismiss_notice(notice_id: int) -> ResponseReturnValue:
    """«Скрыть»: htmx removes the banner with the empty answer; without JavaScript, back to the page it was on.

    Only a notice shown to the client now is remembered, so the session never holds more ids than there are
    notices at a time."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    shown = {notice.id for notice in notices_shown(current_user._get_current_object(), current_language(), ())}
    dismissed = [number for number in session.get(DISMISSED, []) if number in shown]
    if notice_id in shown and notice_id not in dismissed:
        session[DISMISSED] = [*dismissed, notice_id]
    if is_htmx_request():
        response = make_response("", 200)
        response.vary.add("HX-Request")
        return response
    return redirect_to(safe_next(request.form.get("next")) or url_for("cabinet.profile"))
