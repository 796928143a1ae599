# A field declared in a form's class body is, at run time, an unbound field until the form is built; these stubs
# describe the bound field that a form instance's attribute holds, the only way portal reaches one.
from collections.abc import Callable, Sequence
from typing import Any

from wtforms.form import BaseForm

# WTForms calls each validator with the form and the field it is attached to, and each filter with the value.
_Validator = Callable[[Any, Any], object]
_Filter = Callable[[Any], Any]

class Field:
    name: str
    type: str
    data: Any  # what the field holds: its type depends on the field and on whether any input came
    raw_data: list[Any] | None
    errors: list[str]  # the empty tuple until the field is validated
    def __init__(
        self,
        label: str | None = None,
        validators: Sequence[_Validator] | None = None,
        filters: Sequence[_Filter] = (),
        description: str = "",
        id: str | None = None,
        default: Any = None,
        invalid_value_message: str | None = None,
        widget: Any = None,
        render_kw: dict[str, Any] | None = None,
        name: str | None = None,
        datalist: Any = None,
    ) -> None: ...
    def process_formdata(self, valuelist: list[Any]) -> None: ...
    def pre_validate(self, form: BaseForm) -> None: ...
    def post_validate(self, form: BaseForm, validation_stopped: bool) -> None: ...
    def validate(self, form: BaseForm, extra_validators: Sequence[_Validator] = ()) -> bool: ...

class StringField(Field): ...
class PasswordField(StringField): ...
class HiddenField(StringField): ...
class TextAreaField(StringField): ...
class BooleanField(Field): ...

class SelectChoice:
    def __init__(self, value: str, label: Any = None) -> None: ...

class SelectMultipleField(Field):
    def __init__(
        self,
        label: str | None = None,
        validators: Sequence[_Validator] | None = None,
        choices: Sequence[SelectChoice] | None = None,
        **kwargs: Any,
    ) -> None: ...
    def __iter__(self) -> Any: ...
