"""The cabinet's pages behind sign-in. Their contents arrive with issue 5; the menu leads here already."""

from __future__ import annotations

from flask.typing import ResponseReturnValue
from flask_login import login_required

from portal.cabinet import bp
from portal.rendering import render_page


@bp.get("/profile")
@login_required
def profile() -> ResponseReturnValue:
    return render_page("cabinet/profile.html")


@bp.get("/contracts")
@bp.get("/contracts/<int:contract_id>")
@login_required
def contracts(contract_id: int | None = None) -> ResponseReturnValue:
    return render_page("cabinet/contracts.html")


@bp.get("/schedule")
@bp.get("/schedule/<int:contract_id>")
@login_required
def schedule(contract_id: int | None = None) -> ResponseReturnValue:
    return render_page("cabinet/schedule.html")
