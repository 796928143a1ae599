"""Sign-in pages. The flows themselves arrive with issue 4; the routes exist so that links resolve."""

from __future__ import annotations

from flask.typing import ResponseReturnValue

from portal.auth import bp
from portal.rendering import render_page


@bp.get("/login")
def login() -> ResponseReturnValue:
    return render_page("auth/login.html")


@bp.get("/register")
def register() -> ResponseReturnValue:
    return render_page("auth/register.html")
