"""The office's forms (Flask-WTF: CSRF, server-side validation, accessible labels)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp

KIND_CHOICES = [
    SelectChoice("enterprise", _l("Doanh nghiệp")),
    SelectChoice("cooperative", _l("Hợp tác xã")),
    SelectChoice("cooperative_group", _l("Tổ hợp tác")),
    SelectChoice("household", _l("Hộ sản xuất kinh doanh")),
]
LEVEL_CHOICES = [
    SelectChoice("province", _l("Tỉnh")),
    SelectChoice("central", _l("Trung ương")),
    SelectChoice("district", _l("Huyện (trước 01/7/2025)")),
]


class ProducerForm(FlaskForm):
    name = StringField(_l("Tên chủ thể"), validators=[DataRequired(), Length(max=200)])
    kind = SelectField(_l("Loại hình"), choices=KIND_CHOICES, validators=[DataRequired()])
    tax_code = StringField(_l("Mã số thuế"), validators=[
        DataRequired(), Regexp(r"^\d{10}(-\d{3})?$", message=_l("10 chữ số, hoặc 10 chữ số-3 chữ số"))])
    province_code = SelectField(_l("Tỉnh/thành phố"), coerce=int, validators=[DataRequired()])
    ward_code = IntegerField(_l("Mã xã/phường (2025)"), validators=[Optional()])
    address = StringField(_l("Địa chỉ"), validators=[Optional(), Length(max=300)])
    craft_village = StringField(_l("Làng nghề"), validators=[Optional(), Length(max=200)])
    historical_origin = StringField(_l("Địa danh cũ (trước 2025)"),
                                    validators=[Optional(), Length(max=300)])
    phone = StringField(_l("Điện thoại"), validators=[Optional(), Length(max=20)])
    email = StringField(_l("Email"), validators=[Optional(), Email(), Length(max=254)])


class ActivityForm(FlaskForm):
    reason = TextAreaField(_l("Lý do"), validators=[DataRequired(), Length(max=2000)])


class CertificateForm(FlaskForm):
    product = StringField(_l("Sản phẩm (mã sản phẩm)"), validators=[DataRequired(), Length(max=160)])
    decision_number = StringField(_l("Số quyết định"), validators=[DataRequired(), Length(max=100)])
    issuer = StringField(_l("Cơ quan ban hành (như ghi trên quyết định)"),
                         validators=[DataRequired(), Length(max=300)])
    level = SelectField(_l("Cấp"), choices=LEVEL_CHOICES, validators=[DataRequired()])
    stars = IntegerField(_l("Số sao"), validators=[DataRequired(), NumberRange(min=3, max=5)])
    score = IntegerField(_l("Điểm"), validators=[DataRequired(), NumberRange(min=0, max=100)])
    issued_on = DateField(_l("Ngày ký"), validators=[DataRequired()])
    valid_until = DateField(_l("Hiệu lực đến"), validators=[Optional()])


class CorrectionForm(FlaskForm):
    decision_number = StringField(_l("Số quyết định"), validators=[Optional(), Length(max=100)])
    issuer = StringField(_l("Cơ quan ban hành"), validators=[Optional(), Length(max=300)])
    level = SelectField(_l("Cấp"), choices=LEVEL_CHOICES, validators=[Optional()])
    stars = IntegerField(_l("Số sao"), validators=[Optional(), NumberRange(min=3, max=5)])
    score = IntegerField(_l("Điểm"), validators=[Optional(), NumberRange(min=0, max=100)])
    issued_on = DateField(_l("Ngày ký"), validators=[Optional()])
    valid_until = DateField(_l("Hiệu lực đến"), validators=[Optional()])
    reason = TextAreaField(_l("Sai sót được sửa"), validators=[DataRequired(), Length(max=2000)])


class ReportUpdateForm(FlaskForm):
    status = SelectField(_l("Trạng thái"), choices=[
        SelectChoice("", _l("Giữ nguyên")), SelectChoice("in_progress", _l("Đang xử lý")),
        SelectChoice("closed", _l("Đã đóng"))], validators=[Optional()])
    note = TextAreaField(_l("Ghi chú"), validators=[Optional(), Length(max=4000)])


class VoidForm(FlaskForm):
    reason = TextAreaField(_l("Lý do huỷ"), validators=[DataRequired(), Length(max=2000)])


class FlagForm(FlaskForm):
    note = TextAreaField(_l("Ghi chú gửi chủ thể"), validators=[Optional(), Length(max=2000)])


class TargetForm(FlaskForm):
    year = IntegerField(_l("Năm"), validators=[DataRequired(), NumberRange(min=2018, max=2100)])
    province_code = SelectField(_l("Tỉnh/thành phố"), coerce=int, validators=[DataRequired()])
    new_products = IntegerField(_l("Sản phẩm OCOP mới"), default=0,
                                validators=[Optional(), NumberRange(min=0, max=100_000)])
    four_star = IntegerField(_l("Sản phẩm 4 sao"), default=0,
                             validators=[Optional(), NumberRange(min=0, max=100_000)])
    five_star = IntegerField(_l("Sản phẩm 5 sao"), default=0,
                             validators=[Optional(), NumberRange(min=0, max=100_000)])
