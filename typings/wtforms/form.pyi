from typing import Any

from wtforms.fields import Field

class BaseForm:
    # The errors of each field by its name, the form's own under None.
    @property
    def errors(self) -> dict[str | None, list[str]]: ...
    @property
    def data(self) -> dict[str, Any]: ...
    def validate(self, extra_validators: Any = None) -> bool: ...
    def __getitem__(self, name: str) -> Field: ...

class Form(BaseForm):
    def __init__(
        self, formdata: Any = None, obj: Any = None, prefix: str = "", data: Any = None, meta: Any = None, **kwargs: Any
    ) -> None: ...
