"""Downloads of a contract's documents (the signed-in client's own contracts only) and the public check of a
document's verification code, which confirms its kind, its time of issue and the contract number, nothing more."""

from __future__ import annotations

import base64
import io
import re
import secrets

from flask import Response, abort, make_response, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required
from sqlalchemy import select

from portal import audit
from portal.cabinet.service import ContractView, chosen_contract, client_contracts, contract_view
from portal.cabinet.views import STATUS_LABELS
from portal.clock import now, today
from portal.documents import bp
from portal.documents.content import Document, issued_text, kind_title, schedule_document, statement_document
from portal.documents.render import pdf_bytes, xlsx_bytes
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
    contract = chosen_contract(client_contracts(current_user.id), contract_id)
    if contract is None:
        abort(404)
    return contract_view(contract, today())


def _issue(contract: Contract, kind: str, fmt: str) -> IssuedDocument:
    """Record the document before it is sent: its code must verify as soon as the client holds it."""
    issued = IssuedDocument(code=new_code(), contract_id=contract.id, kind=kind, issued_at=now())
    db.session.add(issued)
    audit.record(audit.Event.DOCUMENT_ISSUED, current_user.id, f"{kind}.{fmt} {contract.number} {issued.code}")
    db.session.commit()
    return issued


def _send(document: Document, fmt: str, account: str) -> Response:
    data = pdf_bytes(document) if fmt == "pdf" else xlsx_bytes(document)
    name = f"{document.kind}-{account}-{document.issued_at:%Y-%m-%d-%H%M}.{fmt}"
    response = send_file(io.BytesIO(data), mimetype=MEDIA_TYPES[fmt], as_attachment=True, download_name=name)
    response.headers["Cache-Control"] = "no-store"
    return response


def _verify_url(code: str) -> str:
    return url_for("documents.verify", code=code, _external=True)


@bp.get("/contracts/<int:contract_id>/schedule.<any(pdf, xlsx):fmt>")
@login_required
def schedule(contract_id: int, fmt: str) -> ResponseReturnValue:
    view = _own_contract_view(contract_id)
    issued = _issue(view.contract, "schedule", fmt)
    document = schedule_document(
        view, current_user.full_name, STATUS_LABELS, issued.issued_at, issued.code, _verify_url(issued.code), today()
    )
    return _send(document, fmt, view.contract.account)


@bp.get("/contracts/<int:contract_id>/statement.<any(pdf, xlsx):fmt>")
@login_required
def contract_statement(contract_id: int, fmt: str) -> ResponseReturnValue:
    view = _own_contract_view(contract_id)
    start, end = statement_period(request.args.get("from"), request.args.get("to"), today())
    found = statement(view.facts, view.deposit_facts, start, end, today())
    issued = _issue(view.contract, "statement", fmt)
    document = statement_document(
        view, current_user.full_name, found, issued.issued_at, issued.code, _verify_url(issued.code), today()
    )
    return _send(document, fmt, view.contract.account)


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
