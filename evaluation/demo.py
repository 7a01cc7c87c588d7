"""Demo data of the OCOP cycle: SAMPLE score sheets (one per group, labelled as samples for
trying the system — not the official text of 148/QĐ-TTg), open cycles in Cần Thơ and Ninh
Bình, chị Hạnh (commune officer of Ninh Kiều ward 31135), three council members (ông Bình…),
and a few dossiers in various states. Idempotent."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import today
from evaluation import services, sheets
from evaluation.models import COMMUNE_CHECKS, Cycle, Dossier, ScoreSheet

SAMPLE_PREFIX = "MẪU THỬ"
GROUP_NAMES = {
    "food": "Thực phẩm",
    "beverage": "Đồ uống",
    "herbal": "Dược liệu",
    "craft": "Thủ công mỹ nghệ",
    "ornamental": "Sinh vật cảnh",
    "tourism": "Du lịch cộng đồng",
}
LEVEL_LABELS = ("Chưa đạt", "Đạt một phần", "Đạt", "Đạt tốt")
# (part, criterion, mandatory, level points): parts reach A 40, B 25, C 35.
SAMPLE_CRITERIA = (
    ("A", "A1. Nguồn nguyên liệu địa phương", True, (0, 3, 5)),
    ("A", "A2. Sử dụng lao động địa phương", False, (0, 2, 5)),
    ("A", "A3. Công nghệ, quy trình sản xuất", False, (0, 3, 5)),
    ("A", "A4. Phát triển sản phẩm: bao bì, nhãn", False, (0, 3, 5)),
    ("A", "A5. Tổ chức kinh doanh, kế hoạch", False, (0, 5, 10)),
    ("A", "A6. Sức mạnh cộng đồng", False, (0, 5, 10)),
    ("B", "B1. Kênh phân phối", False, (0, 3, 5)),
    ("B", "B2. Quảng bá, xúc tiến", False, (0, 3, 5)),
    ("B", "B3. Thương mại điện tử", False, (0, 2, 5)),
    ("B", "B4. Câu chuyện sản phẩm", False, (0, 5, 10)),
    ("C", "C1. Cảm quan, dinh dưỡng, tính độc đáo", False, (0, 5, 10, 15)),
    ("C", "C2. Tiêu chuẩn sản phẩm, an toàn", True, (0, 5, 10)),
    ("C", "C3. Khả năng xuất khẩu", False, (0, 5, 10)),
)


def sample_sheet_name(group: str) -> str:
    return f"{SAMPLE_PREFIX} – {GROUP_NAMES[group]}"


def sample_csv(name: str) -> str:
    """The CSV of one sample sheet, as the office would import it."""
    rows = ["sheet,part,criterion,level,points,mandatory"]
    for part, criterion, mandatory, points in SAMPLE_CRITERIA:
        for label, p in zip(LEVEL_LABELS, points, strict=False):
            rows.append(f'"{name}",{part},"{criterion}","{label}",{p},{"yes" if mandatory else "no"}')
    return "\n".join(rows) + "\n"


# (email, role, name, ward)
USERS = (
    ("hanh@ocop.local", "commune_officer", "Chị Hạnh (UBND phường Ninh Kiều)", 31135),
    ("binh@ocop.local", "council_member", "Ông Bình (Hội đồng OCOP Cần Thơ)", None),
    ("lan-hd@ocop.local", "council_member", "Bà Lan (Hội đồng OCOP Cần Thơ)", None),
    ("quang-hd@ocop.local", "council_member", "Ông Quang (Hội đồng OCOP Cần Thơ)", None),
)


def _ensure_sheets(session: Session) -> None:
    from catalog.models import GROUPS

    for group in (g for g in GROUP_NAMES if g in GROUPS):
        name = sample_sheet_name(group)
        if session.scalar(select(ScoreSheet.id).where(ScoreSheet.name == name)) is None:
            sheets.import_sheets(session, sample_csv(name), sample=True)


def _ensure_cycle(session: Session, province_code: int) -> Cycle:
    on = today()
    cycle = session.scalar(select(Cycle).where(Cycle.province_code == province_code, Cycle.year == on.year))
    if cycle is None:
        cycle = services.create_cycle(
            session,
            year=on.year,
            province_code=province_code,
            registration_opens=on - timedelta(days=30),
            registration_closes=on + timedelta(days=60),
            council_from=on + timedelta(days=70),
            council_until=on + timedelta(days=80),
        )
        services.publish_cycle(session, cycle)
    return cycle


def _ensure_users(session: Session) -> dict:
    from app.accounts.models import User
    from app.accounts.services import create_user
    from catalog.demo import DEMO_PASSWORD

    users = {}
    for email, role, name, ward in USERS:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = create_user(
                session, email=email, password=DEMO_PASSWORD, role=role, name=name, ward_code=ward
            )
        users[email] = user
    return users


def _dossier(
    session: Session, cycle: Cycle, tax_code: str, name: str, group: str, **fields
) -> Dossier | None:
    from catalog.models import Producer, Product

    producer = session.scalar(select(Producer).where(Producer.tax_code == tax_code))
    if producer is None:
        return None
    product = session.scalar(select(Product).where(Product.producer_id == producer.id, Product.name == name))
    if product is not None:
        return session.scalar(
            select(Dossier).where(Dossier.cycle_id == cycle.id, Dossier.product_id == product.id)
        )
    dossier = services.register(
        session,
        producer,
        cycle_id=cycle.id,
        kind="new",
        group=group,
        product_set=sample_sheet_name(group),
        name=name,
    )
    services.update_dossier(session, dossier, **fields)
    return dossier


def seed(session: Session) -> None:
    _ensure_sheets(session)
    can_tho = _ensure_cycle(session, 92)
    _ensure_cycle(session, 37)
    users = _ensure_users(session)
    text = dict(
        raw_materials="Gạo nếp, gạo tẻ mua của nông dân phường Ninh Kiều và huyện Phong Điền cũ.",
        labour="6 lao động địa phương, 4 là phụ nữ.",
        story="Nghề tranh gạo do gia đình sáng tạo từ năm 2009, từ hạt gạo rang nhiều màu.",
        standards="TCCS 01:2024/TGNK",
    )
    submitted = _dossier(
        session,
        can_tho,
        "1800234567",
        "Tranh gạo bến Ninh Kiều",
        "craft",
        description="Tranh ghép hạt gạo cảnh bến Ninh Kiều, khung gỗ 40×60 cm.",
        **text,
    )
    if submitted is not None and submitted.status == "draft":
        services.submit(session, submitted)
    returned = _dossier(
        session,
        can_tho,
        "1800234567",
        "Tranh gạo hoa sen",
        "craft",
        description="Tranh hoa sen ghép hạt gạo, khung 30×40 cm.",
        **text,
    )
    if returned is not None and returned.status == "draft":
        services.submit(session, returned)
        services.return_for_completion(session, returned, comment="Thiếu giấy đăng ký kinh doanh bản sao.")
    noodle = dict(
        raw_materials="Gạo Cái Răng và Phong Điền, ký hợp đồng với 40 hộ.",
        labour="25 lao động của phường Cái Răng.",
        story="Hủ tiếu tráng tay bên chợ nổi Cái Răng từ ba đời.",
        standards="TCCS 02:2025/HTX-CR; giấy chứng nhận ATTP",
    )
    scored = _dossier(
        session,
        can_tho,
        "1800223456",
        "Hủ tiếu tươi Cái Răng",
        "food",
        description="Hủ tiếu tươi tráng trong ngày, gói 1 kg.",
        **noodle,
    )
    if scored is not None and scored.status == "draft":
        services.submit(session, scored)
        services.forward(
            session, scored, comment="Nguyên liệu và lao động địa phương: đạt.", checks=list(COMMUNE_CHECKS)
        )
        services.create_council(
            session,
            cycle_id=can_tho.id,
            members=[u for u, _, _, w in USERS if w is None],
            dossiers=[scored.id],
            name=f"Hội đồng OCOP Cần Thơ {can_tho.year} — phiên 1",
            session_on=can_tho.council_from,
        )
        # One member has already scored; ông Bình has not.
        member = users["lan-hd@ocop.local"]
        services.save_scores(
            session, scored, member, {c.code: c.allowed_points[-2] for c in scored.sheet.criteria}
        )
        services.submit_scores(session, scored, member)
    forwarded = _dossier(
        session,
        can_tho,
        "1800223456",
        "Bánh tráng phơi sương Cái Răng",
        "food",
        description="Bánh tráng phơi sương, gói 500 g.",
        **noodle,
    )
    if forwarded is not None and forwarded.status == "draft":
        services.submit(session, forwarded)
        services.forward(session, forwarded, checks=list(COMMUNE_CHECKS))
    session.flush()
