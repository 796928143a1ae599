"""The Flask extensions, created unbound here and bound to an app in create_app()."""

from flask_babel import Babel
from flask_babel import lazy_gettext as _l
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints, so that Alembic migrations can refer to them on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
login_manager.login_view = "auth.login"
login_manager.login_message = _l("Войдите, чтобы продолжить.")
csrf = CSRFProtect()
limiter = Limiter(key_func=get_remote_address)
# DESIGN §4: generous per address (many clients share one behind a carrier's NAT), shared by every sign-in
# endpoint; the per-account throttle and the per-phone and per-code caps in the database do the fine work.
SIGN_IN_LIMIT = "60/minute;600/hour"
sign_in_limit = limiter.shared_limit(SIGN_IN_LIMIT, scope="sign-in", methods=["POST"])


babel = Babel()


@event.listens_for(Engine, "connect")
def _sqlite_enforces_foreign_keys(dbapi_connection: object, connection_record: object) -> None:
    """SQLite ignores foreign keys and ON DELETE CASCADE unless each connection asks for them."""
    import sqlite3

    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()
