"""Views that only read run without a transaction of their own: two round trips to the database fewer a page.

A request's first statement otherwise opens a transaction (the driver sends BEGIN) and the request's end closes
it (ROLLBACK): with the session's check, the contracts and a contract's view, that was 5 round trips for 3
statements, and on a busy machine each round trip waits for PostgreSQL to be scheduled (docs/performance.md).
In autocommit each statement is its own transaction. PostgreSQL's READ COMMITTED, the default, already gives each
statement its own snapshot inside a transaction, so a page that only reads sees exactly what it saw before.

Only for views that write nothing, or one row in one statement (a language chosen with ?lang=, see i18n): a
view that writes more than one row must keep its transaction, so that a failure leaves no half of it behind.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import ParamSpec, TypeVar

from portal.extensions import db

P = ParamSpec("P")
R = TypeVar("R")


def reads_only(view: Callable[P, R]) -> Callable[P, R]:
    """Run the view's statements, from the session's own check on, each in its own transaction. Put it above
    `login_required`, which loads the client."""

    @wraps(view)
    def without_transaction(*args: P.args, **kwargs: P.kwargs) -> R:
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
        return view(*args, **kwargs)

    return without_transaction
