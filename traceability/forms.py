"""The "report a problem" form of the trace and unknown-code pages (no account needed)."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from traceability.services import MAX_REPORT_MESSAGE


class ReportForm(FlaskForm):
    code = HiddenField(validators=[Length(max=200)])
    message = TextAreaField(_l("Điều gì có vẻ không đúng?"),
                            validators=[DataRequired(), Length(max=MAX_REPORT_MESSAGE)])
    contact = StringField(_l("Số điện thoại hoặc email (không bắt buộc)"),
                          validators=[Optional(), Length(max=200)])
