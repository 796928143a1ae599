"""Editors keep the FAQ (role `editor`): the list in the clients' order with search, add, change with a preview
exactly as clients see it, publish or hide, move up or down, delete, and bring back an earlier version or a deleted
entry. Every action is a POST with its CSRF token that answers with a redirect; htmx swaps the list in place."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, flash, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from portal.auth.forms import EmptyForm
from portal.extensions import db
from portal.faq import editing
from portal.faq.editing import TEXT_FIELDS, EditRefused, Refusal, Words
from portal.i18n import current_language
from portal.models import EDITOR, FaqEntry
from portal.rendering import redirect_to, render_page
from portal.staff import bp
from portal.staff.forms import FAQ_LANGUAGES, FaqEntryForm, FaqMoveForm, FaqVisibilityForm
from portal.staff.session import requires_role, signed_in_staff

CHANGES = {
    editing.Change.ADDED.value: _l("добавлен"),
    editing.Change.CHANGED.value: _l("изменен"),
    editing.Change.PUBLISHED.value: _l("опубликован"),
    editing.Change.HIDDEN.value: _l("скрыт"),
    editing.Change.DELETED.value: _l("удален"),
    editing.Change.RESTORED.value: _l("восстановлен после удаления"),
    editing.Change.ROLLED_BACK.value: _l("возвращена прежняя версия"),
    editing.Change.FILE.value: _l("загружен из файла"),
}


def _refusal_text(error: EditRefused) -> str:
    if error.refusal is Refusal.MISSING_LANGUAGE:
        names = ", ".join(FAQ_LANGUAGES[language] for language in error.languages)
        return str(
            _(
                "Чтобы опубликовать вопрос, заполните вопрос и ответ на всех трех языках. Не заполнено: %(languages)s.",
                languages=names,
            )
        )
    if error.refusal is Refusal.STALE:
        return str(
            _(
                "Пока вы редактировали, этот вопрос изменил другой редактор. Ваш текст сохранен в форме: "
                "сравните его с текущей версией ниже и сохраните снова."
            )
        )
    if error.refusal is Refusal.NO_QUESTION:
        return str(_("Напишите вопрос хотя бы на одном языке."))
    if error.refusal is Refusal.SLUG_TAKEN:
        return str(_("Этот вопрос нельзя восстановить: его адрес занят другим вопросом."))
    return str(_("Такого вопроса или версии больше нет."))


def _words(form: FaqEntryForm) -> Words:
    return Words(form.topic.data or "", {name: getattr(form, name).data or "" for name in TEXT_FIELDS})


def _list_url() -> str:
    return url_for("staff.faq_entries", q=request.args.get("q") or None)


@bp.get("/faq")
@requires_role(EDITOR)
def faq_entries() -> ResponseReturnValue:
    query = (request.args.get("q") or "").strip()[:100]
    found = editing.editor_list(db.session(), current_language(), query)
    return render_page(
        "staff/faq.html",
        entries=found.entries,
        total=found.total,
        deleted=found.deleted,
        query=query,
        languages=FAQ_LANGUAGES,
    )


def _entry_page(
    form: FaqEntryForm, entry: FaqEntry | None, error: str | None, preview: Words | None
) -> ResponseReturnValue:
    """The entry's form (new when `entry` is None), the preview of the typed words, its versions."""
    versions = editing.versions(db.session(), entry.slug) if entry is not None else []
    return render_page(
        "staff/faq_entry.html",
        form=form,
        entry=editing.shown_entry(entry, current_language()) if entry is not None else None,
        topics=editing.topics(db.session()),
        error=error,
        preview=preview,
        versions=versions,
        changes=CHANGES,
        languages=FAQ_LANGUAGES,
    )


@bp.route("/faq/new", methods=["GET", "POST"])
@requires_role(EDITOR)
def faq_new() -> ResponseReturnValue:
    form = FaqEntryForm()
    if not form.validate_on_submit():
        return _entry_page(form, None, None, None)
    if request.form.get("action") == "preview":
        return _entry_page(form, None, None, _words(form))
    try:
        entry = editing.add_entry(db.session(), _words(form), form.published.data, signed_in_staff())
    except EditRefused as error:
        return _entry_page(form, None, _refusal_text(error), _words(form))
    flash(_("Вопрос добавлен и показан клиентам.") if entry.published else _("Вопрос сохранен как черновик."), "info")
    return redirect_to(url_for("staff.faq_edit", entry_id=entry.id))


@bp.route("/faq/<int:entry_id>", methods=["GET", "POST"])
@requires_role(EDITOR)
def faq_edit(entry_id: int) -> ResponseReturnValue:
    entry = db.session.get(FaqEntry, entry_id)
    if entry is None:
        abort(404)
    if request.method == "GET":
        form = FaqEntryForm(obj=entry)
        form.based_on.data = str(editing.latest_version_id(db.session(), entry.slug) or "")
        return _entry_page(form, entry, None, None)
    form = FaqEntryForm()
    if not form.validate_on_submit():
        return _entry_page(form, entry, None, None)
    if request.form.get("action") == "preview":
        return _entry_page(form, entry, None, _words(form))
    based_on = int(form.based_on.data) if (form.based_on.data or "").isdigit() else None
    try:
        editing.change_entry(db.session(), entry_id, _words(form), form.published.data, based_on, signed_in_staff())
    except EditRefused as error:
        db.session.rollback()
        entry = db.session.get(FaqEntry, entry_id)
        if entry is None:
            abort(404)
        return _entry_page(form, entry, _refusal_text(error), _words(form))
    flash(_("Изменения сохранены."), "info")
    return redirect_to(url_for("staff.faq_edit", entry_id=entry_id))


def _act(done: str, action: Callable[[], object], entry_id: int | None = None) -> ResponseReturnValue:
    """Run an action; its refusal is told as a flash on the page it returns to: the entry's own page when the
    form says it came from there (back=entry), else the list (with its search)."""
    try:
        action()
    except EditRefused as error:
        db.session.rollback()
        flash(_refusal_text(error), "error")
    else:
        flash(done, "info")
    if entry_id is not None and request.form.get("back") == "entry" and db.session.get(FaqEntry, entry_id):
        return redirect_to(url_for("staff.faq_edit", entry_id=entry_id))
    return redirect_to(_list_url())


@bp.post("/faq/<int:entry_id>/visibility")
@requires_role(EDITOR)
def faq_visibility(entry_id: int) -> ResponseReturnValue:
    form = FaqVisibilityForm()
    if not form.validate_on_submit():
        abort(400)
    publish = form.published.data == "1"
    return _act(
        _("Вопрос показан клиентам.") if publish else _("Вопрос скрыт от клиентов."),
        lambda: editing.set_published(db.session(), entry_id, publish, signed_in_staff()),
        entry_id,
    )


@bp.post("/faq/<int:entry_id>/move")
@requires_role(EDITOR)
def faq_move(entry_id: int) -> ResponseReturnValue:
    form = FaqMoveForm()
    if not form.validate_on_submit():
        abort(400)
    up = form.direction.data != "down"
    return _act(
        _("Порядок вопросов изменен."), lambda: editing.move_entry(db.session(), entry_id, up, signed_in_staff())
    )


@bp.post("/faq/<int:entry_id>/delete")
@requires_role(EDITOR)
def faq_delete(entry_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _act(
        _("Вопрос удален. Его можно восстановить в разделе «Удаленные вопросы»."),
        lambda: editing.delete_entry(db.session(), entry_id, signed_in_staff()),
    )


@bp.post("/faq/<int:entry_id>/versions/<int:version_id>")
@requires_role(EDITOR)
def faq_roll_back(entry_id: int, version_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _act(
        _("Прежняя версия вопроса возвращена."),
        lambda: editing.roll_back(db.session(), entry_id, version_id, signed_in_staff()),
        entry_id,
    )


@bp.post("/faq/deleted/<int:version_id>")
@requires_role(EDITOR)
def faq_restore(version_id: int) -> ResponseReturnValue:
    if not EmptyForm().validate_on_submit():
        abort(400)
    return _act(
        _("Вопрос восстановлен как черновик: проверьте его и опубликуйте."),
        lambda: editing.restore_deleted(db.session(), version_id, signed_in_staff()),
    )
