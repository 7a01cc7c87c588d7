from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, EqualTo, Length

from app.accounts.services import MAX_PASSWORD, MIN_PASSWORD


class LoginForm(FlaskForm):
    # No format check here: a wrong address simply does not sign in, and the demo's
    # `@ocop.local` addresses must work (email_validator refuses special-use domains).
    email = EmailField(_l("Email"), validators=[DataRequired(), Length(max=254)])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    current = PasswordField(_l("Mật khẩu hiện tại"), validators=[DataRequired(), Length(max=MAX_PASSWORD)])
    new = PasswordField(_l("Mật khẩu mới"), validators=[
        DataRequired(),
        Length(min=MIN_PASSWORD, max=MAX_PASSWORD,
               message=_l("Mật khẩu cần từ %(min)d đến %(max)d ký tự.", min=MIN_PASSWORD, max=MAX_PASSWORD))])
    confirm = PasswordField(_l("Nhập lại mật khẩu mới"), validators=[
        DataRequired(), EqualTo("new", message=_l("Hai mật khẩu mới không giống nhau."))])
