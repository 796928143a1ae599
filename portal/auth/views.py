"""Sign-in pages: Первичная авторизация (five facts → SMS code → password), the two-step login (with an SMS code
after the password when many failed sign-ins call for one), logout and the password reset, which repeats the first
three steps for a client who has a password already."""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from flask import abort, flash, redirect, request, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from portal.audit import Event, record
from portal.auth import bp
from portal.auth.codes import (
    CodeRefused,
    Refusal,
    Verdict,
    check_code,
    issue_code,
    resend_wait,
    tell_password_changed,
)
from portal.auth.forms import (
    CONSENT_VERSION,
    ChangePasswordForm,
    CodeForm,
    EmptyForm,
    FactsForm,
    IdentifyForm,
    LoginForm,
    PasswordForm,
    RegisterForm,
)
from portal.auth.policy import checklist, password_problems
from portal.auth.service import Outcome, authenticate, confirm_sign_in, match_facts, set_password
from portal.auth.service import change_password as change_password_of
from portal.auth.session import end_every_session, sign_out, start_session
from portal.auth.throttle import wait_message
from portal.clock import now
from portal.domain.phone import mask_phone
from portal.extensions import db, sign_in_limit
from portal.models import Client
from portal.rendering import redirect_to, render_fragment, render_page

FLOW = "auth_flow"
FLOW_LIFETIME = timedelta(minutes=30)
# Первичная авторизация and the password reset take the same steps under their own URLs and endpoints; a sign-in
# that must be confirmed takes the code step after the login page.
FLOWS = {
    "register": ("/register", {"facts": "register", "code": "code", "resend": "code_resend", "password": "password"}),
    "reset": (
        "/password/reset",
        {"facts": "reset", "code": "reset_code", "resend": "reset_code_resend", "password": "reset_password"},
    ),
    "sign_in": ("/login", {"facts": "login", "code": "login_code", "resend": "login_code_resend"}),
}


def step_url(purpose: str, step: str) -> str:
    return url_for(f"auth.{FLOWS[purpose][1][step]}")


def safe_next(target: str | None) -> str | None:
    """A `next` that is a plain path on this site, or None: it starts with one "/", and holds no "//", no
    backslash, no whitespace and no control character (a CR or LF would end up in the Location header)."""
    if not target or not target.startswith("/") or "//" in target or "\\" in target:
        return None
    if any(char.isspace() or not char.isprintable() for char in target):
        return None
    return target


# Login ---------------------------------------------------------------------------------------------------------


@bp.route("/login", methods=["GET", "POST"])
@sign_in_limit
def login() -> ResponseReturnValue:
    next_page = safe_next(request.values.get("next"))
    if current_user.is_authenticated:
        return redirect(next_page or url_for("cabinet.profile"))
    if request.method == "GET":
        return render_page("auth/login.html", "login_form", form=IdentifyForm(), stage="identify", next=next_page)

    if "password" not in request.form:
        identify = IdentifyForm()
        if not identify.validate_on_submit():
            return render_page("auth/login.html", "login_form", form=identify, stage="identify", next=next_page)
        form = LoginForm(formdata=None, account=identify.account.data, iin=identify.iin.data)
        return render_page("auth/login.html", "login_form", form=form, stage="password", next=next_page)

    form = LoginForm()
    if not form.validate_on_submit():
        stage = "identify" if form.account.errors or form.iin.errors else "password"
        return render_page("auth/login.html", "login_form", form=form, stage=stage, next=next_page)
    result = authenticate(form.account.data, form.iin.data, form.password.data, request.remote_addr)
    if result.outcome is Outcome.SIGNED_IN and result.client is not None:
        start_session(result.client)
        return redirect_to(next_page or url_for("cabinet.profile"))
    if result.outcome is Outcome.CODE_REQUIRED and result.client is not None:
        return _ask_for_code(result.client, result.account_key, form, next_page)
    if result.outcome is Outcome.THROTTLED:
        error = wait_message(result.wait)
        page = render_page("auth/login.html", "login_form", form=form, stage="password", next=next_page, error=error)
        page.status_code = 429
        page.headers["Retry-After"] = str(math.ceil(result.wait.total_seconds()))
        return page
    error = _("Неверный номер счета, ИИН или пароль.")
    return render_page("auth/login.html", "login_form", form=form, stage="password", next=next_page, error=error), 200


def _ask_for_code(client: Client, account_key: str, form: LoginForm, next_page: str | None) -> ResponseReturnValue:
    """The password was right and the account is under attack: an SMS code to the number on file confirms it."""
    pending = _flow("sign_in")
    try:
        code, plain = issue_code(client, "sign_in")
    except CodeRefused as refusal:
        if refusal.reason is Refusal.TOO_SOON and pending is not None and pending.get("client_id") == client.id:
            return redirect_to(step_url("sign_in", "code"))  # the code sent a moment ago is still good
        error = _refusal_message(refusal)
        return render_page("auth/login.html", "login_form", form=form, stage="password", next=next_page, error=error)
    session[FLOW] = {
        "purpose": "sign_in",
        "client_id": client.id,
        "code_id": code.id,
        "started": now().timestamp(),
        "verified": False,
        "account_key": account_key,
        "version": client.session_version,
        "next": next_page,
        "demo_code": plain if client.is_demo else None,
    }
    return redirect_to(step_url("sign_in", "code"))


def _finish_sign_in(flow: dict[str, Any], client: Client) -> ResponseReturnValue:
    if not confirm_sign_in(client, int(flow["code_id"]), str(flow["account_key"]), int(flow["version"])):
        session.pop(FLOW, None)
        return _start_again("sign_in")
    start_session(client)
    return redirect_to(safe_next(flow.get("next")) or url_for("cabinet.profile"))


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    if current_user.is_authenticated:
        end_every_session(current_user._get_current_object())
        record(Event.LOGOUT, current_user.id)
        db.session.commit()
    sign_out()
    flash(_("Вы вышли из Личного кабинета."), "info")
    response = redirect_to(url_for("main.index"))
    # Nothing of the cabinet stays in this browser's cache or storage (the menu's state goes too).
    response.headers["Clear-Site-Data"] = '"cache", "storage"'
    return response


# First-time authorization and password reset: facts → code → password -------------------------------------------


def _flow(purpose: str) -> dict[str, Any] | None:
    flow = session.get(FLOW)
    if not isinstance(flow, dict) or flow.get("purpose") != purpose:
        return None
    if now().timestamp() - float(flow.get("started", 0)) > FLOW_LIFETIME.total_seconds():
        session.pop(FLOW, None)
        return None
    return flow


def _flow_client(flow: dict[str, Any]) -> Client | None:
    return db.session.get(Client, int(flow["client_id"]))


def _start_again(purpose: str) -> ResponseReturnValue:
    flash(_("Время на этот шаг истекло или он пройден. Начните заново."), "info")
    return redirect_to(step_url(purpose, "facts"))


def _refusal_message(refusal: CodeRefused) -> str:
    if refusal.reason is Refusal.TOO_SOON:
        return str(
            _("Повторно отправить код можно через %(seconds)s с.", seconds=math.ceil(refusal.wait.total_seconds()))
        )
    if refusal.reason is Refusal.HOURLY_CAP:
        return str(
            _(
                "За последний час на этот номер отправлено 5 кодов. Попробуйте через %(minutes)s мин.",
                minutes=math.ceil(refusal.wait.total_seconds() / 60),
            )
        )
    return str(_("Не удалось отправить код, попробуйте позже."))


def facts(purpose: str) -> ResponseReturnValue:
    form: FactsForm = RegisterForm() if purpose == "register" else FactsForm()
    error = None
    next_step = None  # where a client who is in the wrong flow should go instead
    if form.validate_on_submit():
        signed_on = form.contract_date.day  # never None here: DataRequired and DayField.pre_validate see to it
        client = (
            match_facts(
                form.account.data, form.contract_number.data, form.iin.data, form.phone.e164, signed_on, purpose
            )
            if signed_on is not None
            else None
        )
        if client is None:
            error = _(
                "Данные не совпадают с данными договора. Проверьте номер счета, номер договора, ИИН, мобильный "
                "номер и дату договора."
            )
        elif purpose == "register" and client.password_hash is not None:
            error = _("Вы уже прошли первичную авторизацию. Войдите с паролем или восстановите его.")
            next_step = "reset"
        elif purpose == "reset" and client.password_hash is None:
            error = _("Вы еще не прошли первичную авторизацию. Пройдите ее, чтобы создать пароль.")
            next_step = "register"
        else:
            try:
                code, plain = issue_code(client, purpose)
            except CodeRefused as refusal:
                error = _refusal_message(refusal)
            else:
                session[FLOW] = {
                    "purpose": purpose,
                    "client_id": client.id,
                    "code_id": code.id,
                    "started": now().timestamp(),
                    "verified": False,
                    "consent": CONSENT_VERSION if purpose == "register" else None,
                    "demo_code": plain if client.is_demo else None,
                }
                return redirect_to(step_url(purpose, "code"))
    return render_page("auth/facts.html", "facts_form", form=form, purpose=purpose, error=error, next_step=next_step)


def code(purpose: str) -> ResponseReturnValue:
    flow = _flow(purpose)
    client = _flow_client(flow) if flow else None
    if flow is None or client is None:
        return _start_again(purpose)
    form = CodeForm()
    error = None
    if form.validate_on_submit():
        check = check_code(int(flow["code_id"]), form.code.data)
        if check.verdict is Verdict.ACCEPTED and purpose == "sign_in":
            return _finish_sign_in(flow, client)
        if check.verdict is Verdict.ACCEPTED:
            flow["verified"] = True
            session[FLOW] = flow
            return redirect_to(step_url(purpose, "password"))
        error = {
            Verdict.WRONG: _("Неверный код. Осталось попыток: %(left)s.", left=check.attempts_left),
            Verdict.EXHAUSTED: _("Код больше не действует: 5 неверных попыток. Запросите новый код."),
            Verdict.EXPIRED: _("Срок действия кода истек. Запросите новый код."),
            Verdict.USED: _("Этот код уже использован. Запросите новый код."),
        }[check.verdict]
    return _code_page(purpose, flow, client, form, error)


def _code_page(
    purpose: str, flow: dict[str, Any], client: Client, form: CodeForm, error: str | None
) -> ResponseReturnValue:
    wait = resend_wait(client)
    return render_page(
        "auth/code.html",
        "code_form",
        form=form,
        resend=EmptyForm(formdata=None),
        purpose=purpose,
        resend_url=step_url(purpose, "resend"),
        masked_phone=mask_phone(client.phone),
        resend_in=math.ceil(wait.total_seconds()),
        demo_code=flow.get("demo_code") if client.is_demo else None,
        error=error,
    )


def resend(purpose: str) -> ResponseReturnValue:
    flow = _flow(purpose)
    client = _flow_client(flow) if flow else None
    if flow is None or client is None:
        return _start_again(purpose)
    if not EmptyForm().validate_on_submit():
        abort(400)
    try:
        code, plain = issue_code(client, purpose)
    except CodeRefused as refusal:
        return _code_page(purpose, flow, client, CodeForm(formdata=None), _refusal_message(refusal))
    flow.update(code_id=code.id, verified=False, demo_code=plain if client.is_demo else None)
    session[FLOW] = flow
    flash(_("Новый код отправлен на номер %(phone)s.", phone=mask_phone(client.phone)), "info")
    return redirect_to(step_url(purpose, "code"))


def password(purpose: str) -> ResponseReturnValue:
    flow = _flow(purpose)
    client = _flow_client(flow) if flow else None
    if flow is None or client is None or not flow.get("verified"):
        return _start_again(purpose)
    form = PasswordForm()
    problems: list[str] = []
    if form.validate_on_submit():
        problems = password_problems(form.password.data, form.confirmation.data, client)
        if not problems:
            if not set_password(client, form.password.data, int(flow["code_id"]), purpose, flow.get("consent")):
                session.pop(FLOW, None)
                return _start_again(purpose)
            session.pop(FLOW, None)
            start_session(client)
            flash(
                _("Первичная авторизация завершена. Добро пожаловать!")
                if purpose == "register"
                else _("Пароль изменен. Все другие сеансы завершены."),
                "info",
            )
            return redirect_to(url_for("cabinet.profile"))
    typed = form.password.data or ""
    return render_page(
        "auth/password.html",
        "password_form",
        form=form,
        purpose=purpose,
        rules=checklist(typed, form.confirmation.data or ""),
        problems=problems,
    )


@bp.post("/password/check")
def password_check() -> ResponseReturnValue:
    """The live checklist: the manual's six rules for what is typed so far (htmx swaps the list)."""
    form = PasswordForm()
    if not form.validate_on_submit() and form.csrf_token.errors:
        abort(400)
    return render_fragment(
        "auth/password.html", "password_rules", rules=checklist(form.password.data or "", form.confirmation.data or "")
    )


def _route(
    rule: str, endpoint: str, view: Callable[[str], ResponseReturnValue], purpose: str, methods: tuple[str, ...]
) -> None:
    def bound() -> ResponseReturnValue:
        return view(purpose)

    bound.__name__ = endpoint
    limited = sign_in_limit(bound) if "POST" in methods else bound
    bp.add_url_rule(rule, endpoint, limited, methods=list(methods))


for _purpose, (_prefix, _steps) in FLOWS.items():
    if "password" in _steps:  # the sign-in's first step is the login page itself
        _route(_prefix, _steps["facts"], facts, _purpose, ("GET", "POST"))
        _route(f"{_prefix}/password", _steps["password"], password, _purpose, ("GET", "POST"))
    _route(f"{_prefix}/code", _steps["code"], code, _purpose, ("GET", "POST"))
    _route(f"{_prefix}/code/resend", _steps["resend"], resend, _purpose, ("POST",))


@bp.route("/profile/password", methods=["GET", "POST"])
@login_required
@sign_in_limit
def change_password() -> ResponseReturnValue:
    """Сменить пароль: the current password, then a new one under the manual's rules. Every other session of the
    client ends, this one goes on, and an SMS tells the client the password was changed."""
    client: Client = current_user._get_current_object()  # the row itself: start_session signs it in again
    form = ChangePasswordForm()
    problems: list[str] = []
    if form.validate_on_submit():
        problems = password_problems(form.password.data, form.confirmation.data, client)
        if not problems and not change_password_of(client, form.current.data, form.password.data):
            form.current.errors = [_("Текущий пароль указан неверно.")]
        elif not problems:
            start_session(client)
            tell_password_changed(client)
            flash(_("Пароль изменен. Все другие сеансы завершены."), "info")
            return redirect_to(url_for("cabinet.profile"))
    return render_page(
        "auth/change_password.html",
        "password_form",
        form=form,
        rules=checklist(form.password.data or "", form.confirmation.data or ""),
        problems=problems,
    )
