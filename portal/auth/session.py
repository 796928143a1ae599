"""How a request finds its signed-in client."""

from __future__ import annotations

from portal.extensions import db, login_manager
from portal.models import Client


@login_manager.user_loader
def load_client(client_id: str) -> Client | None:
    if not client_id.isdigit():
        return None
    return db.session.get(Client, int(client_id))
