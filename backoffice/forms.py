"""Back-office forms (Flask-WTF: CSRF, server-side validation, accessible labels)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, DateField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

GROUP_CHOICES = [
    SelectChoice("food", _l("Thực phẩm")),
    SelectChoice("beverage", _l("Đồ uống")),
    SelectChoice("herbal", _l("Thảo dược")),
    SelectChoice("textile", _l("Vải và may mặc")),
    SelectChoice("craft", _l("Lưu niệm – nội thất – trang trí")),
    SelectChoice("ornamental", _l("Sinh vật cảnh")),
    SelectChoice("tourism", _l("Dịch vụ du lịch cộng đồng")),
]


class ProductForm(FlaskForm):
    name = StringField(_l("Tên sản phẩm"), validators=[DataRequired(), Length(max=200)])
    name_en = StringField(_l("Tên tiếng Anh"), validators=[Optional(), Length(max=200)])
    group = SelectField(_l("Nhóm sản phẩm"), choices=GROUP_CHOICES, validators=[DataRequired()])
    price_vnd = IntegerField(_l("Giá (đồng, đã gồm VAT)"),
                             validators=[Optional(), NumberRange(min=0, max=1_000_000_000)])
    unit = StringField(_l("Đơn vị bán"), validators=[DataRequired(), Length(max=40)])
    unit_en = StringField(_l("Đơn vị (tiếng Anh)"), validators=[Optional(), Length(max=40)])
    description = TextAreaField(_l("Câu chuyện sản phẩm"), validators=[Optional(), Length(max=10_000)])
    description_en = TextAreaField(_l("Câu chuyện (tiếng Anh)"),
                                   validators=[Optional(), Length(max=10_000)])
    gtin = StringField(_l("Mã GTIN (mã vạch)"),
                       validators=[Optional(), Regexp(r"^\d{8}$|^\d{12,14}$",
                                                      message=_l("8, 12, 13 hoặc 14 chữ số"))])
    published = BooleanField(_l("Đăng bán"))


class PhotoForm(FlaskForm):
    photo = FileField(_l("Ảnh sản phẩm"), validators=[
        FileRequired(), FileAllowed(["jpg", "jpeg", "png", "webp"], _l("Chỉ nhận ảnh JPEG, PNG, WebP"))])
    alt = StringField(_l("Mô tả ảnh (cho người khiếm thị)"), validators=[Optional(), Length(max=300)])


class RevokeForm(FlaskForm):
    reason = TextAreaField(_l("Lý do thu hồi"), validators=[DataRequired(), Length(max=2000)])
    revoked_on = DateField(_l("Thu hồi từ ngày"), validators=[Optional()])


class ImportForm(FlaskForm):
    file = FileField(_l("Tệp CSV danh sách quyết định"), validators=[
        FileRequired(), FileAllowed(["csv"], _l("Chỉ nhận tệp .csv"))])


class ShipForm(FlaskForm):
    carrier = StringField(_l("Đơn vị vận chuyển"), validators=[DataRequired(), Length(max=100)])
    tracking = StringField(_l("Mã vận đơn"), validators=[DataRequired(), Length(max=100)])


class LotForm(FlaskForm):
    product = SelectField(_l("Sản phẩm"), validators=[DataRequired()])
    lot_number = StringField(_l("Số lô"), validators=[
        DataRequired(), Regexp(r"^[A-Za-z0-9._-]{1,20}$", message=_l("1–20 chữ, số, . _ -"))])
    produced_on = DateField(_l("Ngày sản xuất"), validators=[DataRequired()])
    best_before = DateField(_l("Hạn sử dụng"), validators=[Optional()])
    quantity = IntegerField(_l("Số lượng trong lô"),
                            validators=[DataRequired(), NumberRange(min=1, max=10_000_000)])
    stamps = IntegerField(_l("Số tem QR cần in"), default=0,
                          validators=[Optional(), NumberRange(min=0, max=10_000)])


class StampsForm(FlaskForm):
    count = IntegerField(_l("Số tem QR cần in"),
                         validators=[DataRequired(), NumberRange(min=1, max=10_000)])
