"""The admins' pages of the staff: the members and their last sign-in, «Добавить сотрудника», and a member's page
(disable, enable, a new authenticator, roles). A new TOTP secret is shown in the answer to the POST that made it,
never on a page that can be fetched again."""

from __future__ import annotations

from flask import abort, flash, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from portal.auth.forms import EmptyForm
from portal.models import ADMIN, Staff
from portal.rendering import redirect_to, render_page
from portal.staff import bp
from portal.staff.forms import ROLE_NAMES, DisableForm, MemberForm, RolesForm
from portal.staff.members_service import (
    NewSecret,
    add_member,
    change_roles,
    find_member,
    list_members,
    member_row,
    problem_texts,
    reset_authenticator,
)
from portal.staff.service import LastAdminRefused, StaffRefused, set_staff_active
from portal.staff.session import requires_role, signed_in_staff, start_staff_session


def _target(member_id: int) -> Staff:
    staff = member_row(member_id)
    if staff is None:
        abort(404)
    return staff


@bp.get("/members")
@requires_role(ADMIN)
def members() -> ResponseReturnValue:
    return render_page("staff/members.html", members=list_members(), role_names=ROLE_NAMES)


@bp.route("/members/new", methods=["GET", "POST"])
@requires_role(ADMIN)
def new_member() -> ResponseReturnValue:
    form = MemberForm()
    if form.validate_on_submit():
        try:
            secret = add_member(
                signed_in_staff(), form.login.data, form.full_name.data, form.password.data, tuple(form.roles.data)
            )
        except StaffRefused as refused:
            for name, texts in problem_texts(refused.problems).items():
                form[name].errors = [*form[name].errors, *texts]
        else:
            return _secret_page(secret, added=True)
    return render_page("staff/member_new.html", form=form)


def _secret_page(secret: NewSecret, added: bool) -> ResponseReturnValue:
    """The once-only page of a new secret: the answer to the POST itself (no-store, as every page is)."""
    return render_page("staff/member_secret.html", secret=secret, added=added)


def _member_page(
    staff: Staff,
    status: int = 200,
    roles_form: RolesForm | None = None,
    disable_form: DisableForm | None = None,
    disable_error: str | None = None,
) -> ResponseReturnValue:
    """A member's page: what the admins' list shows of them, and a form for each action (those given hold what was
    posted and its errors)."""
    member = find_member(staff.id)
    if member is None:
        abort(404)
    page = render_page(
        "staff/member.html",
        member=member,
        is_self=member.id == signed_in_staff().id,
        role_names=ROLE_NAMES,
        roles_form=roles_form or RolesForm(formdata=None, data={"roles": list(member.roles)}),
        disable_form=disable_form or DisableForm(formdata=None),
        disable_error=disable_error,
    )
    page.status_code = status
    return page


@bp.get("/members/<int:member_id>")
@requires_role(ADMIN)
def member(member_id: int) -> ResponseReturnValue:
    return _member_page(_target(member_id))


@bp.post("/members/<int:member_id>/disable")
@requires_role(ADMIN)
def disable_member(member_id: int) -> ResponseReturnValue:
    staff = _target(member_id)
    actor = signed_in_staff()
    form = DisableForm()
    if not form.validate_on_submit():
        abort(400)
    is_self = staff.id == actor.id
    if is_self and not form.confirm.data:
        form.confirm.errors = [_("Отметьте, что вы отключаете свою учетную запись.")]
        return _member_page(staff, disable_form=form)
    try:
        set_staff_active(staff, False, actor.id)
    except LastAdminRefused:
        message = _("Нельзя отключить последнего активного администратора.")
        return _member_page(staff, 409, disable_error=message)
    if is_self:  # their sessions, this one too, ended with the change
        session.clear()
        flash(_("Ваша учетная запись отключена."), "info")
        return redirect_to(url_for("staff.login"))
    flash(_("Учетная запись %(login)s отключена: ее сеансы завершены, войти с ней нельзя.", login=staff.login), "info")
    return redirect_to(url_for("staff.member", member_id=staff.id))


@bp.post("/members/<int:member_id>/enable")
@requires_role(ADMIN)
def enable_member(member_id: int) -> ResponseReturnValue:
    staff = _target(member_id)
    if not EmptyForm().validate_on_submit():
        abort(400)
    set_staff_active(staff, True, signed_in_staff().id)
    flash(_("Учетная запись %(login)s включена: с ней снова можно войти.", login=staff.login), "info")
    return redirect_to(url_for("staff.member", member_id=staff.id))


@bp.post("/members/<int:member_id>/authenticator")
@requires_role(ADMIN)
def reset_member_authenticator(member_id: int) -> ResponseReturnValue:
    staff = _target(member_id)
    actor = signed_in_staff()
    if not EmptyForm().validate_on_submit():
        abort(400)
    secret = reset_authenticator(actor, staff)
    if staff.id == actor.id:  # every other session of theirs has ended; this browser goes on in a new one
        start_staff_session(actor)
    return _secret_page(secret, added=False)


@bp.post("/members/<int:member_id>/roles")
@requires_role(ADMIN)
def member_roles(member_id: int) -> ResponseReturnValue:
    staff = _target(member_id)
    form = RolesForm()
    if not form.validate_on_submit():
        return _member_page(staff, roles_form=form)
    try:
        changed = change_roles(signed_in_staff(), staff, tuple(form.roles.data))
    except LastAdminRefused:
        form.roles.errors = [_("Нельзя снять роль администратора с последнего активного администратора.")]
        return _member_page(staff, 409, roles_form=form)
    if changed:
        flash(_("Роли сотрудника %(login)s изменены.", login=staff.login), "info")
    if ADMIN not in form.roles.data and staff.id == signed_in_staff().id:  # no longer theirs to see
        return redirect_to(url_for("staff.imports"))
    return redirect_to(url_for("staff.member", member_id=staff.id))
