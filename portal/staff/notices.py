"""Editors' pages for the notices for clients: the board (shown now, planned, ended) with the form to add one,
a notice's own page to change it, «Снять сейчас» and deleting; every change is a POST with its CSRF token."""

from __future__ import annotations

from flask import abort, flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.auth.forms import EmptyForm
from portal.clock import now
from portal.domain.clock import kazakhstan_now
from portal.models import EDITOR
from portal.rendering import redirect_to, render_page
from portal.staff import bp
from portal.staff.forms import MOMENT_INPUT, NoticeForm
from portal.staff.notices_service import (
    NoticeFacts,
    add_notice,
    change_notice,
    delete_notice,
    end_notice,
    find_notice,
    notice_board,
)
from portal.staff.session import requires_role, signed_in_staff


def _facts(form: NoticeForm) -> NoticeFacts:
    if form.starts_at.moment is None or form.ends_at.moment is None:  # validated: both read as moments
        abort(400)
    texts = (form.text_ru.data, form.text_kk.data, form.text_en.data)
    return NoticeFacts(*texts, form.starts_at.moment, form.ends_at.moment)


def _board_page(form: NoticeForm) -> ResponseReturnValue:
    return render_page("staff/notices.html", form=form, board=notice_board(), action_form=EmptyForm())


@bp.route("/notices", methods=["GET", "POST"])
@requires_role(EDITOR)
def notices() -> ResponseReturnValue:
    """The board and «Новое объявление», whose start is now unless the editor changes it."""
    if request.method == "GET":
        return _board_page(NoticeForm(starts_at=kazakhstan_now(now()).strftime(MOMENT_INPUT)))
    form = NoticeForm()
    if not form.validate_on_submit():
        return _board_page(form)
    add_notice(_facts(form), signed_in_staff())
    flash(_("Объявление добавлено."), "info")
    return redirect_to(url_for("staff.notices"))


@bp.route("/notices/<int:notice_id>", methods=["GET", "POST"])
@requires_role(EDITOR)
def notice(notice_id: int) -> ResponseReturnValue:
    found = find_notice(notice_id)
    if found is None:
        abort(404)
    if request.method == "GET":
        form = NoticeForm(
            text_ru=found.text_ru,
            text_kk=found.text_kk,
            text_en=found.text_en,
            starts_at=found.starts_at.strftime(MOMENT_INPUT),
            ends_at=found.ends_at.strftime(MOMENT_INPUT),
        )
    else:
        form = NoticeForm()
        if form.validate_on_submit():
            if not change_notice(notice_id, _facts(form), signed_in_staff()):
                abort(404)  # deleted meanwhile
            flash(_("Объявление изменено."), "info")
            return redirect_to(url_for("staff.notices"))
    return render_page("staff/notice.html", form=form, notice=found)


@bp.post("/notices/<int:notice_id>/end")
@requires_role(EDITOR)
def notice_end(notice_id: int) -> ResponseReturnValue:
    """«Снять сейчас»: clients stop seeing it with their next page."""
    if not EmptyForm().validate_on_submit():
        abort(400)
    if end_notice(notice_id, signed_in_staff()):
        flash(_("Объявление снято: клиенты его больше не видят."), "info")
    else:
        flash(_("Объявление сейчас не показывается: снимать нечего."), "info")
    return redirect_to(url_for("staff.notices"))


# Registered last of the notices' routes: the role walk (tests/app/test_staff.py) posts to them in this order, and
# deleting the notice first would leave the others nothing to act on.
@bp.post("/notices/<int:notice_id>/delete")
@requires_role(EDITOR)
def notice_delete(notice_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    if not delete_notice(notice_id, signed_in_staff()):
        abort(404)
    flash(_("Объявление удалено."), "info")
    return redirect_to(url_for("staff.notices"))
