# The part of WTForms 3 that portal uses, typed: the library ships no type information, and without these a form
# or field class that portal subclasses would be Any under mypy --strict.
from wtforms.fields import BooleanField as BooleanField
from wtforms.fields import Field as Field
from wtforms.fields import HiddenField as HiddenField
from wtforms.fields import PasswordField as PasswordField
from wtforms.fields import SelectChoice as SelectChoice
from wtforms.fields import SelectMultipleField as SelectMultipleField
from wtforms.fields import StringField as StringField
from wtforms.fields import TextAreaField as TextAreaField
from wtforms.form import Form as Form
from wtforms.validators import ValidationError as ValidationError
