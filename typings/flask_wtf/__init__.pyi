# The part of Flask-WTF 1.x that portal uses, typed: the library ships no type information, and without these
# every form class (a FlaskForm subclass) would be Any under mypy --strict.
from typing import Any

from wtforms import Field, Form

class FlaskForm(Form):
    csrf_token: Field  # present while CSRF protection is on, as it always is in portal
    # formdata defaults to the request's form (and files) when the request was submitted, else to none.
    def __init__(self, formdata: Any = ..., **kwargs: Any) -> None: ...
    def is_submitted(self) -> bool: ...
    def validate_on_submit(self, extra_validators: Any = None) -> bool: ...
