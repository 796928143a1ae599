"""Downloads of a contract's documents (the signed-in client's own contracts only) and the public check of a
document's verification code, which confirms its kind, its time of issue and the contract number, nothing more."""

from __future__ import annotations

import base64
import io
import re
import secrets
from collections.abc import Callable
from datetime import datetime

from flask import Response, abort, make_response, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import audit
from portal.cabinet.service import ContractView, chosen_contract, contract_view
from portal.cabinet.views import STATUS_LABELS
from portal.clock import now, today
from portal.documents import bp
from portal.documents.content import Document, issued_text, kind_title, schedule_document, statement_document
from portal.domain.statement import statement, statement_period
from portal.extensions import db
from portal.models import Contract, IssuedDocument
from portal.rendering import render_page

MEDIA_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
_CODE = re.compile(r"[A-Z2-7]{16}")


def new_code() -> str:
    """80 random bits as 16 base32 letters: unguessable, and easy to read out or type from paper."""
    return base64.b32encode(secrets.token_bytes(10)).decode("ascii")


def _own_contract_view(contract_id: int) -> ContractView:
    """The view of the client's own contract; 404 for anyone else's, as for a missing one."""
    contract = chosen_contract(current_user.contracts, contract_id)
    if contract is None:
        abort(404)
    return contract_view(contract, today())


def _issue(view: ContractView, kind: str, fmt: str, write: Callable[[str, datetime, str], Document]) -> Response:
    """Write the document with a new code, record it, then send it: the code verifies as soon as the client holds
    the file, and a document that failed to render leaves no code behind. The file is rendered before the commit,
    which would otherwise expire the contract and the client and cost a query each to reload."""
    contract = view.contract
    code, issued_at = new_code(), now()
    document = write(code, issued_at, url_for("documents.verify", code=code, _external=True))
    # fpdf2 and openpyxl load with the first document a worker makes, not with every worker.
    from portal.documents.render import pdf_bytes, xlsx_bytes

    data = pdf_bytes(document) if fmt == "pdf" else xlsx_bytes(document)
    name = f"{kind}-{contract.account}-{document.issued_at:%Y-%m-%d-%H%M}.{fmt}"
    db.session.add(IssuedDocument(code=code, contract_id=contract.id, kind=kind, issued_at=issued_at))
    audit.record(audit.Event.DOCUMENT_ISSUED, current_user.id, f"{kind}.{fmt} {contract.number} {code}")
    db.session.commit()
    response = send_file(io.BytesIO(data), mimetype=MEDIA_TYPES[fmt], as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/contracts/<int:contract_id>/schedule.<any(pdf, xlsx):fmt>")
@login_required
def schedule(contract_id: int, fmt: str) -> ResponseReturnValue:
    view = _own_contract_view(contract_id)
    client_name, on = current_user.full_name, today()

    def write(code: str, issued_at: datetime, verify_url: str) -> Document:
        return schedule_document(view, client_name, STATUS_LABELS, issued_at, code, verify_url, on)

    return _issue(view, "schedule", fmt, write)


@bp.get("/contracts/<int:contract_id>/statement.<any(pdf, xlsx):fmt>")
@login_required
def contract_statement(contract_id: int, fmt: str) -> ResponseReturnValue:
    view = _own_contract_view(contract_id)
    client_name, on = current_user.full_name, today()
    start, end = statement_period(request.args.get("from"), request.args.get("to"), on)
    found = statement(view.facts, view.deposit_facts, start, end, on)

    def write(code: str, issued_at: datetime, verify_url: str) -> Document:
        return statement_document(view, client_name, found, issued_at, code, verify_url, on)

    return _issue(view, "statement", fmt, write)


@bp.get("/verify/<code>")
def verify(code: str) -> ResponseReturnValue:
    """Public: anyone holding the paper may check it. Dashes and spaces as printed are allowed, case is not."""
    wanted = re.sub(r"[\s-]+", "", code).upper()
    found = None
    if _CODE.fullmatch(wanted):
        found = db.session.execute(
            select(IssuedDocument.kind, IssuedDocument.issued_at, Contract.number)
            .join(Contract, Contract.id == IssuedDocument.contract_id)
            .where(IssuedDocument.code == wanted)
        ).one_or_none()
    if found is None:
        return make_response(render_page("documents/verify.html", found=None, code=code), 404)
    kind, issued_at, number = found
    return render_page(
        "documents/verify.html",
        found={"kind": kind_title(kind), "issued": issued_text(issued_at), "number": number},
        code="-".join(wanted[i : i + 4] for i in range(0, 16, 4)),
    )
