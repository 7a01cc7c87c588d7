"""The demo catalogue: producers, products and certificates of the five founding provinces.

`seed(session)` is idempotent: producers are matched by tax code, products by (producer,
name), certificates by (product, decision number), users by e-mail; what exists is left as
it is, so a second run changes nothing.

Certificate dates are RELATIVE to `app.clock.today()`, so the edge cases (ending in 52 days,
ended yesterday, ending today, revoked…) stay edge cases whenever the demo is seeded, and the
level and issuer follow the date as on real decisions: 3★ by the district before 1 July 2025
and by the province after it (1489/QĐ-TTg: communes issue none); provincial decisions by the
former province (Yên Bái, Kon Tum, Kiên Giang, Sóc Trăng, Hậu Giang, Nam Định, Hà Nam) before
the 2025 mergers; 5★ by the Ministry of Agriculture and Rural Development, renamed Ministry of
Agriculture and Environment from 1 March 2025.

Photos are small illustrative images shipped in `app/static/demo/` (made once by
`python -m catalog.demo_photos`), never hotlinked.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.clock import today
from catalog import services
from catalog.gate import add_months, default_valid_until
from catalog.models import Certificate, Producer, Product, ProductPhoto

DEMO_PASSWORD = "ocop-demo-2026"  # noqa: S105 - published demo credentials, documented in README

# The two-tier local government (no more districts) since 1 July 2025; the Ministry of
# Agriculture and Rural Development merged into Agriculture and Environment on 1 March 2025.
TWO_TIER_FROM = date(2025, 7, 1)
MINISTRY_RENAMED_FROM = date(2025, 3, 1)
MINISTRY_BEFORE = "Bộ Nông nghiệp và Phát triển nông thôn"
MINISTRY_AFTER = "Bộ Nông nghiệp và Môi trường"

# How each 2025 province is named on its People's Committee decisions.
PROVINCE_COUNCIL = {
    15: "tỉnh Lào Cai",
    37: "tỉnh Ninh Bình",
    51: "tỉnh Quảng Ngãi",
    91: "tỉnh An Giang",
    92: "thành phố Cần Thơ",
}

PHOTO_SIZE = (480, 480)


@dataclass(frozen=True)
class DemoProducer:
    key: str
    name: str
    name_en: str
    kind: str
    tax_code: str
    province_code: int
    ward_code: int
    address: str
    description: str
    description_en: str
    # The district that recognised 3★ products before 1 July 2025 ("huyện Bắc Hà").
    old_district: str
    # The former province whose People's Committee issued 4★ decisions before the merger.
    old_province: str | None = None
    historical_origin: str | None = None
    craft_village: str | None = None
    phone: str | None = None
    email: str | None = None
    active: bool = True


@dataclass(frozen=True)
class DemoCertificate:
    decision_number: str
    stars: int
    score: int
    # Either issued `age` days before today (default 36-month term)…
    age: int | None = None
    # …or ending `ends_in` days from today (issued 36 months before its end).
    ends_in: int | None = None
    revoked_days_ago: int | None = None
    revoke_reason: str | None = None

    def dates(self, on: date) -> tuple[date, date]:
        """(issued_on, valid_until) relative to `on`."""
        if self.ends_in is not None:
            valid_until = on + timedelta(days=self.ends_in)
            return add_months(valid_until + timedelta(days=1), -36), valid_until
        issued_on = on - timedelta(days=self.age or 0)
        return issued_on, default_valid_until(issued_on)


@dataclass(frozen=True)
class DemoProduct:
    producer: str
    name: str
    name_en: str
    group: str
    unit: str
    unit_en: str
    price_vnd: int | None
    description: str
    description_en: str
    # The illustration drawn by catalog/demo_photos.py.
    shape: str
    certificates: tuple[DemoCertificate, ...] = field(default_factory=tuple)
    gtin: str | None = None
    published: bool = True

    @property
    def photo(self) -> str:
        from catalog.text import slugify

        return f"demo/{slugify(self.name)}.webp"


def gtin13(body12: str) -> str:
    """A GTIN-13 from its first 12 digits, with the GS1 check digit (893 = Vietnam)."""
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


C = DemoCertificate

PRODUCERS: tuple[DemoProducer, ...] = (
    # --- Lào Cai (15), with former Yên Bái -------------------------------------------------
    DemoProducer(
        "bac-ha", "Hợp tác xã Nông nghiệp Bắc Hà", "Bắc Hà Agricultural Cooperative",
        "cooperative", "5300812345", 15, 2839, "Thôn Bản Phố, xã Bắc Hà, tỉnh Lào Cai",
        "Hợp tác xã của 46 hộ người Mông và Tày ở Bắc Hà, nấu rượu ngô bằng men lá truyền thống "
        "và chăm sóc những cây chè Shan tuyết cổ thụ trên núi Tả Củ Tỷ.",
        "A cooperative of 46 H'Mông and Tày households in Bắc Hà, distilling corn wine with "
        "traditional leaf yeast and tending ancient shan tuyết tea trees on Tả Củ Tỷ mountain.",
        old_district="huyện Bắc Hà",
        historical_origin="Huyện Bắc Hà, tỉnh Lào Cai (trước 2025)",
        craft_village="Làng nghề nấu rượu ngô Bản Phố",
        phone="0214 3880 215", email="htxbacha@producers.ocop.local",
    ),
    DemoProducer(
        "ta-phin", "Hợp tác xã Dược liệu Tả Phìn", "Tả Phìn Herbal Cooperative",
        "cooperative", "5300823456", 15, 3013, "Thôn Tả Phìn, xã Tả Phìn, tỉnh Lào Cai",
        "Phụ nữ người Dao đỏ ở Tả Phìn hái hơn 20 loại lá rừng để làm lá tắm và cao xoa bóp "
        "theo bài thuốc gia truyền.",
        "Red Dao women in Tả Phìn gather more than twenty forest herbs for herbal baths and "
        "balms made to family recipes.",
        old_district="thị xã Sa Pa",
        historical_origin="Xã Tả Phìn, thị xã Sa Pa, tỉnh Lào Cai (trước 2025)",
        phone="0214 3871 468", email="htxtaphin@producers.ocop.local",
    ),
    DemoProducer(
        "ta-van", "Tổ hợp tác Thổ cẩm Tả Van", "Tả Van Brocade Cooperative Group",
        "cooperative_group", "5300834567", 15, 3037, "Thôn Tả Van Giáy, xã Tả Van, tỉnh Lào Cai",
        "Mười hai phụ nữ Giáy và Mông trồng lanh, dệt vải và nhuộm chàm bằng lá cây tự trồng.",
        "Twelve Giáy and H'Mông women grow hemp, weave it and dye it with home-grown indigo.",
        old_district="thị xã Sa Pa",
        historical_origin="Xã Tả Van, thị xã Sa Pa, tỉnh Lào Cai (trước 2025)",
        craft_village="Làng nghề dệt thổ cẩm Tả Van",
        phone="0912 418 335", email="thotamtavan@producers.ocop.local",
    ),
    DemoProducer(
        "ban-ho", "Hộ kinh doanh Homestay Bản Dền", "Bản Dền Homestay (household business)",
        "household", "5300845678-001", 15, 3046, "Bản Dền, xã Bản Hồ, tỉnh Lào Cai",
        "Gia đình người Tày đón khách trong ngôi nhà sàn gỗ bên suối Mường Hoa.",
        "A Tày family welcoming guests in their wooden stilt house by the Mường Hoa stream.",
        old_district="thị xã Sa Pa",
        historical_origin="Xã Bản Hồ, thị xã Sa Pa, tỉnh Lào Cai (trước 2025)",
        phone="0983 226 104", email="banden.homestay@producers.ocop.local",
    ),
    DemoProducer(
        "van-yen", "Hợp tác xã Quế Văn Yên", "Văn Yên Cinnamon Cooperative",
        "cooperative", "5200856789", 15, 4375, "Thôn Trung Tâm, xã Mậu A, tỉnh Lào Cai",
        "Vùng quế hơn 30 năm tuổi của người Dao ở Văn Yên, chưng cất tinh dầu ngay tại vườn.",
        "Dao families' cinnamon forests in Văn Yên, some over 30 years old, with the oil "
        "distilled on the spot.",
        old_district="huyện Văn Yên", old_province="tỉnh Yên Bái",
        historical_origin="Huyện Văn Yên, tỉnh Yên Bái (cũ)",
        phone="0216 3834 552", email="htxquevanyen@producers.ocop.local",
    ),
    DemoProducer(
        "tu-le", "Hợp tác xã Nếp Tú Lệ", "Tú Lệ Sticky Rice Cooperative",
        "cooperative", "5200867890", 15, 4630, "Bản Lướt, xã Tú Lệ, tỉnh Lào Cai",
        "Người Thái ở thung lũng Tú Lệ trồng giống nếp tan mỗi năm một vụ trên ruộng bậc thang.",
        "Thái farmers of the Tú Lệ valley grow 'nếp tan' sticky rice once a year on terraced "
        "fields.",
        old_district="huyện Văn Chấn", old_province="tỉnh Yên Bái",
        historical_origin="Xã Tú Lệ, huyện Văn Chấn, tỉnh Yên Bái (cũ)",
        phone="0216 3878 090", email="htxneptule@producers.ocop.local",
    ),
    DemoProducer(
        "mu-cang-chai", "Hộ kinh doanh Du lịch La Pán Tẩn", "La Pán Tẩn Tourism (household business)",
        "household", "5200878901", 15, 4456, "Bản Dế Xu Phình, xã Mù Cang Chải, tỉnh Lào Cai",
        "Hộ người Mông làm homestay và nuôi ong lấy mật hoa rừng giữa ruộng bậc thang.",
        "A H'Mông household running a homestay and keeping bees among the rice terraces.",
        old_district="huyện Mù Cang Chải", old_province="tỉnh Yên Bái",
        historical_origin="Huyện Mù Cang Chải, tỉnh Yên Bái (cũ)",
        phone="0979 551 230", email="lapantan@producers.ocop.local",
    ),
    # --- Ninh Bình (37), with former Nam Định and Hà Nam -------------------------------------
    DemoProducer(
        "hoa-lu", "Công ty TNHH Thực phẩm Cố đô Hoa Lư", "Hoa Lư Ancient Capital Foods Co., Ltd.",
        "enterprise", "2700889012", 37, 14329, "Số 18 đường Tràng An, phường Hoa Lư, tỉnh Ninh Bình",
        "Xưởng cơm cháy gạo tám của cố đô Hoa Lư, sấy bằng lò than theo cách làm cũ.",
        "A cơm cháy workshop in the ancient capital, crisping fragrant rice over charcoal the "
        "old way.",
        old_district="thành phố Ninh Bình",
        historical_origin="Thành phố Ninh Bình, tỉnh Ninh Bình (trước 2025)",
        phone="0229 3871 999", email="cododhoalu@producers.ocop.local",
    ),
    DemoProducer(
        "kim-son", "Hợp tác xã Rượu Kim Sơn", "Kim Sơn Rice Wine Cooperative",
        "cooperative", "2700890123", 37, 14638, "Xóm 3, xã Kim Sơn, tỉnh Ninh Bình",
        "Rượu nếp cái hoa vàng nấu bằng nồi đồng, hạ thổ trong chum sành ít nhất sáu tháng.",
        "Yellow-flower sticky rice wine distilled in copper pots and buried in earthen jars for "
        "at least six months.",
        old_district="huyện Kim Sơn",
        historical_origin="Huyện Kim Sơn, tỉnh Ninh Bình (trước 2025)",
        craft_village="Làng nghề rượu Kim Sơn",
        phone="0229 3862 118", email="ruoukimson@producers.ocop.local",
    ),
    DemoProducer(
        "quang-thien", "Hợp tác xã Cói mỹ nghệ Quang Thiện", "Quang Thiện Sedge Craft Cooperative",
        "cooperative", "2700901234", 37, 14647, "Xóm Văn Hải, xã Quang Thiện, tỉnh Ninh Bình",
        "Cói trồng trên bãi bồi ven biển Kim Sơn được phơi, nhuộm và đan tay thành giỏ, thảm.",
        "Sedge from Kim Sơn's coastal mudflats, sun-dried, dyed and hand-woven into baskets "
        "and mats.",
        old_district="huyện Kim Sơn",
        historical_origin="Huyện Kim Sơn, tỉnh Ninh Bình (trước 2025)",
        craft_village="Làng nghề cói Kim Sơn",
        phone="0229 3866 420", email="coiquangthien@producers.ocop.local",
    ),
    DemoProducer(
        "tam-coc", "Hộ kinh doanh Homestay Tam Cốc Xanh", "Tam Cốc Green Homestay (household business)",
        "household", "2700912345-001", 37, 14359, "Thôn Văn Lâm, phường Nam Hoa Lư, tỉnh Ninh Bình",
        "Ngôi nhà gạch cũ giữa cánh đồng lúa Tam Cốc, cách bến thuyền năm phút đạp xe.",
        "An old brick house among Tam Cốc's rice fields, five minutes by bicycle from the boat "
        "pier.",
        old_district="huyện Hoa Lư",
        historical_origin="Xã Ninh Hải, huyện Hoa Lư, tỉnh Ninh Bình (trước 2025)",
        phone="0966 312 588", email="tamcocxanh@producers.ocop.local",
    ),
    DemoProducer(
        "yen-mac", "Cơ sở Nem chua Yên Mạc", "Yên Mạc Fermented Pork Roll Workshop",
        "household", "2700923456", 37, 14743, "Thôn Phú Thành, xã Yên Mạc, tỉnh Ninh Bình",
        "Ba thế hệ làm nem chua gói lá ổi và lá chuối, lên men tự nhiên trong ba ngày.",
        "Three generations making pork rolls wrapped in guava and banana leaves, fermented "
        "naturally for three days.",
        old_district="huyện Yên Mô",
        historical_origin="Xã Yên Mạc, huyện Yên Mô, tỉnh Ninh Bình (trước 2025)",
        craft_village="Làng nghề nem chua Yên Mạc",
        phone="0917 250 731",
    ),
    DemoProducer(
        "hai-hau", "Hợp tác xã Nông nghiệp Hải Hậu", "Hải Hậu Agricultural Cooperative",
        "cooperative", "0600934567", 37, 14215, "Xóm 5, xã Hải Hậu, tỉnh Ninh Bình",
        "Vùng lúa ven biển Hải Hậu, quê hương của gạo tám xoan nổi tiếng miền Bắc.",
        "The coastal rice land of Hải Hậu, home of northern Vietnam's famous tám xoan rice.",
        old_district="huyện Hải Hậu", old_province="tỉnh Nam Định",
        historical_origin="Huyện Hải Hậu, tỉnh Nam Định (cũ)",
        phone="0228 3877 345", email="htxhaihau@producers.ocop.local",
    ),
    DemoProducer(
        "nha-xa", "Tổ hợp tác Dệt lụa Nha Xá", "Nha Xá Silk Weaving Cooperative Group",
        "cooperative_group", "0700945678", 37, 13324, "Thôn Nha Xá, phường Duy Tiên, tỉnh Ninh Bình",
        "Làng dệt lụa bên sông Hồng hơn 700 năm tuổi, nay vẫn còn hàng trăm khung dệt.",
        "A silk village on the Red River, more than 700 years old, where hundreds of looms "
        "still work.",
        old_district="thị xã Duy Tiên", old_province="tỉnh Hà Nam",
        historical_origin="Xã Mộc Nam, thị xã Duy Tiên, tỉnh Hà Nam (cũ)",
        craft_village="Làng nghề dệt lụa Nha Xá",
        phone="0226 3836 702", email="luanhaxa@producers.ocop.local",
    ),
    DemoProducer(
        "ngoc-dong", "Tổ hợp tác Mây giang đan Ngọc Động", "Ngọc Động Rattan Weaving Cooperative Group",
        "cooperative_group", "0700956789", 37, 13330, "Thôn Ngọc Động, phường Duy Tân, tỉnh Ninh Bình",
        "Nghề đan mây giang truyền đời ở Ngọc Động, sản phẩm xuất đi nhiều nước.",
        "Rattan and bamboo weaving handed down for generations in Ngọc Động, exported abroad.",
        old_district="thị xã Duy Tiên", old_province="tỉnh Hà Nam",
        historical_origin="Xã Hoàng Đông, thị xã Duy Tiên, tỉnh Hà Nam (cũ)",
        craft_village="Làng nghề mây giang đan Ngọc Động",
        phone="0226 3835 118", email="mayngocdong@producers.ocop.local",
    ),
    DemoProducer(
        "phat-diem", "Cơ sở Chè lam Phát Diệm", "Phát Diệm Rice Cake Workshop",
        "household", "2700967890", 37, 14620, "Phố Phát Diệm, xã Phát Diệm, tỉnh Ninh Bình",
        "Cơ sở làm chè lam gừng bên nhà thờ đá Phát Diệm; đã tạm ngừng kinh doanh.",
        "A ginger rice-cake workshop beside Phát Diệm stone cathedral; it has suspended "
        "business.",
        old_district="huyện Kim Sơn",
        historical_origin="Thị trấn Phát Diệm, huyện Kim Sơn, tỉnh Ninh Bình (trước 2025)",
        phone="0229 3862 554", active=False,
    ),
    # --- Quảng Ngãi (51), with former Kon Tum ------------------------------------------------
    DemoProducer(
        "ngoc-linh", "Hợp tác xã Sâm Ngọc Linh Đăk Glei", "Đăk Glei Ngọc Linh Ginseng Cooperative",
        "cooperative", "6100978901", 51, 23365, "Thôn Lê Văn Tám, xã Ngọc Linh, tỉnh Quảng Ngãi",
        "Sâm Ngọc Linh trồng dưới tán rừng nguyên sinh ở độ cao trên 1.800 m, truy xuất từng "
        "củ.",
        "Ngọc Linh ginseng grown under primary forest above 1,800 m, each root traceable.",
        old_district="huyện Đăk Glei", old_province="tỉnh Kon Tum",
        historical_origin="Huyện Đăk Glei, tỉnh Kon Tum (cũ)",
        phone="0260 3823 456", email="samngoclinh@producers.ocop.local",
    ),
    DemoProducer(
        "kon-ray", "Hợp tác xã Nông nghiệp Kon Rẫy", "Kon Rẫy Agricultural Cooperative",
        "cooperative", "6100989012", 51, 23479, "Thôn 2, xã Đăk Rve, tỉnh Quảng Ngãi",
        "Người Xơ Đăng và Ba Na ở Kon Rẫy trồng cà phê vối, sâm dây và hái măng le rừng.",
        "Xơ Đăng and Ba Na farmers of Kon Rẫy growing robusta coffee and sâm dây, and "
        "gathering wild bamboo shoots.",
        old_district="huyện Kon Rẫy", old_province="tỉnh Kon Tum",
        historical_origin="Huyện Kon Rẫy, tỉnh Kon Tum (cũ)",
        phone="0260 3819 277", email="htxkonray@producers.ocop.local",
    ),
    DemoProducer(
        "kon-braih", "Tổ hợp tác Dệt thổ cẩm Kon Braih", "Kon Braih Brocade Cooperative Group",
        "cooperative_group", "6100990123", 51, 23497, "Làng Kon Rlong, xã Kon Braih, tỉnh Quảng Ngãi",
        "Phụ nữ Xơ Đăng dệt thổ cẩm trên khung dệt đeo lưng với hoa văn núi, sông, cây lúa.",
        "Xơ Đăng women weaving brocade on backstrap looms, with patterns of mountains, rivers "
        "and rice.",
        old_district="huyện Kon Rẫy", old_province="tỉnh Kon Tum",
        historical_origin="Xã Tân Lập, huyện Kon Rẫy, tỉnh Kon Tum (cũ)",
        craft_village="Làng dệt thổ cẩm Xơ Đăng Kon Rlong",
        phone="0974 603 155", email="thocamkonbraih@producers.ocop.local",
    ),
    DemoProducer(
        "mang-den", "Hợp tác xã Du lịch cộng đồng Kon Pring", "Kon Pring Community Tourism Cooperative",
        "cooperative", "6101001234", 51, 23473, "Làng Kon Pring, xã Măng Đen, tỉnh Quảng Ngãi",
        "Làng Mơ Nâm giữa rừng thông Măng Đen đón khách ở nhà rông, nhà dài và vườn cà phê.",
        "A Mơ Nâm village in Măng Đen's pine forest, welcoming visitors to its communal house, "
        "long houses and coffee gardens.",
        old_district="huyện Kon Plông", old_province="tỉnh Kon Tum",
        historical_origin="Huyện Kon Plông, tỉnh Kon Tum (cũ)",
        phone="0260 3556 789", email="konpring@producers.ocop.local",
    ),
    DemoProducer(
        "ly-son", "Hợp tác xã Tỏi Lý Sơn", "Lý Sơn Garlic Cooperative",
        "cooperative", "4300112345", 51, 21548, "Thôn Đông, đặc khu Lý Sơn, tỉnh Quảng Ngãi",
        "Tỏi trồng trên cát san hô và đất núi lửa của đảo Lý Sơn, tưới nước giếng ngọt.",
        "Garlic grown on the coral sand and volcanic soil of Lý Sơn island, watered from "
        "fresh-water wells.",
        old_district="huyện Lý Sơn",
        historical_origin="Huyện Lý Sơn, tỉnh Quảng Ngãi (trước 2025)",
        phone="0255 3867 012", email="toilyson@producers.ocop.local",
    ),
    DemoProducer(
        "thi-pho", "Cơ sở Mạch nha Thi Phổ", "Thi Phổ Malt Syrup Workshop",
        "household", "4300123456", 51, 21400, "Thôn Thi Phổ 1, xã Mộ Đức, tỉnh Quảng Ngãi",
        "Mạch nha nấu từ gạo nếp và mầm lúa trong chảo gang, đặc sản làng Thi Phổ.",
        "Malt syrup boiled from sticky rice and sprouted grain in cast-iron pans, the pride of "
        "Thi Phổ village.",
        old_district="huyện Mộ Đức",
        historical_origin="Xã Đức Nhuận, huyện Mộ Đức, tỉnh Quảng Ngãi (trước 2025)",
        craft_village="Làng nghề mạch nha Thi Phổ",
        phone="0905 330 812", email="machnhathipho@producers.ocop.local",
    ),
    # --- An Giang (91), with former Kiên Giang -----------------------------------------------
    DemoProducer(
        "pq-fish-sauce", "Công ty TNHH Nước mắm Hưng Thịnh Phú Quốc",
        "Hưng Thịnh Phú Quốc Fish Sauce Co., Ltd.",
        "enterprise", "1700134567", 91, 31078, "Khu phố 2, đặc khu Phú Quốc, tỉnh An Giang",
        "Nhà thùng gỗ bời lời ủ cá cơm than với muối theo tỉ lệ 3:1 trong 12 đến 15 tháng.",
        "A fish-sauce house fermenting black anchovies with salt, 3 to 1, in bời lời wood "
        "barrels for 12 to 15 months.",
        old_district="thành phố Phú Quốc", old_province="tỉnh Kiên Giang",
        historical_origin="Thành phố Phú Quốc, tỉnh Kiên Giang (cũ)",
        phone="0297 3846 268", email="nuocmamhungthinh@producers.ocop.local",
    ),
    DemoProducer(
        "pq-pepper", "Hợp tác xã Hồ tiêu Phú Quốc", "Phú Quốc Pepper Cooperative",
        "cooperative", "1700145678", 91, 31078, "Ấp Suối Đá, đặc khu Phú Quốc, tỉnh An Giang",
        "Vườn tiêu trên đất đỏ Phú Quốc, hái chín đỏ và phơi nắng trên sân gạch.",
        "Pepper gardens on Phú Quốc's red soil, picked ripe and sun-dried on brick yards.",
        old_district="thành phố Phú Quốc", old_province="tỉnh Kiên Giang",
        historical_origin="Xã Dương Tơ, thành phố Phú Quốc, tỉnh Kiên Giang (cũ)",
        phone="0297 3980 155", email="hotieuphuquoc@producers.ocop.local",
    ),
    DemoProducer(
        "pq-pearl", "Công ty Cổ phần Ngọc trai Biển Xanh Phú Quốc", "Blue Sea Phú Quốc Pearl JSC",
        "enterprise", "1700156789", 91, 31078, "Ấp Đường Bào, đặc khu Phú Quốc, tỉnh An Giang",
        "Trại nuôi trai ở vịnh An Thới, mỗi viên ngọc cần hai đến ba năm.",
        "A pearl farm in An Thới bay, where each pearl takes two to three years.",
        old_district="thành phố Phú Quốc", old_province="tỉnh Kiên Giang",
        historical_origin="Thành phố Phú Quốc, tỉnh Kiên Giang (cũ)",
        phone="0297 3990 777", email="ngoctraibienxanh@producers.ocop.local",
    ),
    DemoProducer(
        "ham-ninh", "Cơ sở Rượu sim Hàm Ninh", "Hàm Ninh Rose-Myrtle Wine Workshop",
        "household", "1700167890", 91, 31078, "Ấp Rạch Hàm, đặc khu Phú Quốc, tỉnh An Giang",
        "Gia đình ở làng chài Hàm Ninh ủ rượu từ trái sim rừng chín tím.",
        "A family in Hàm Ninh fishing village making wine from ripe wild rose-myrtle berries.",
        old_district="thành phố Phú Quốc", old_province="tỉnh Kiên Giang",
        historical_origin="Xã Hàm Ninh, thành phố Phú Quốc, tỉnh Kiên Giang (cũ)",
        phone="0918 772 041", email="ruousimhamninh@producers.ocop.local",
    ),
    DemoProducer(
        "chau-doc", "Cơ sở Mắm Châu Đốc Út Hiền", "Út Hiền Châu Đốc Fermented Fish",
        "household", "1600178901", 91, 30316, "Chợ Châu Đốc, phường Châu Đốc, tỉnh An Giang",
        "Sạp mắm ba đời ở chợ Châu Đốc, làm mắm cá linh mùa nước nổi.",
        "A third-generation stall at Châu Đốc market, fermenting linh fish from the flood "
        "season.",
        old_district="thành phố Châu Đốc",
        historical_origin="Thành phố Châu Đốc, tỉnh An Giang (trước 2025)",
        phone="0296 3866 145",
    ),
    DemoProducer(
        "tri-ton", "Hợp tác xã Đường thốt nốt Bảy Núi", "Bảy Núi Palm Sugar Cooperative",
        "cooperative", "1600189012", 91, 30544, "Ấp Tô Thủy, xã Tri Tôn, tỉnh An Giang",
        "Người Khmer vùng Bảy Núi leo cây thốt nốt lấy nước, nấu đường trên bếp củi.",
        "Khmer climbers of the Seven Mountains tapping palmyra palms and boiling the sap over "
        "wood fires.",
        old_district="huyện Tri Tôn",
        historical_origin="Huyện Tri Tôn, tỉnh An Giang (trước 2025)",
        phone="0296 3874 066", email="thotnotbaynui@producers.ocop.local",
    ),
    DemoProducer(
        "tan-chau", "Hợp tác xã Dệt lụa Tân Châu", "Tân Châu Silk Cooperative",
        "cooperative", "1600190123", 91, 30376, "Khóm Long Hưng, phường Tân Châu, tỉnh An Giang",
        "Lãnh Mỹ A dệt từ tơ tằm và nhuộm bằng nhựa trái mặc nưa, đen bóng, mặt mát.",
        "Mỹ A silk woven from raw silk and dyed with mặc nưa ebony fruit: glossy black and "
        "cool to wear.",
        old_district="thị xã Tân Châu",
        historical_origin="Thị xã Tân Châu, tỉnh An Giang (trước 2025)",
        craft_village="Làng nghề dệt lụa Tân Châu",
        phone="0296 3822 410", email="luatanchau@producers.ocop.local",
    ),
    DemoProducer(
        "van-giao", "Tổ hợp tác Dệt thổ cẩm Văn Giáo", "Văn Giáo Khmer Weaving Cooperative Group",
        "cooperative_group", "1600201234", 91, 30520, "Phum Sray Skot, phường Tịnh Biên, tỉnh An Giang",
        "Phụ nữ Khmer dệt khăn và xà rông trên khung gỗ dưới sàn nhà.",
        "Khmer women weaving scarves and sarongs on wooden looms beneath their stilt houses.",
        old_district="thị xã Tịnh Biên",
        historical_origin="Xã Văn Giáo, thị xã Tịnh Biên, tỉnh An Giang (trước 2025)",
        craft_village="Làng dệt thổ cẩm Khmer Văn Giáo",
        phone="0296 3875 321", email="thocamvangiao@producers.ocop.local",
    ),
    DemoProducer(
        "u-minh", "Hộ kinh doanh Mật ong rừng U Minh", "U Minh Forest Honey (household business)",
        "household", "1700212345", 91, 31027, "Ấp Kinh 9, xã U Minh Thượng, tỉnh An Giang",
        "Gác kèo lấy mật ong rừng tràm U Minh theo cách của người đi rừng.",
        "Forest honey from U Minh's melaleuca woods, gathered on rafter hives the old "
        "woodsmen's way.",
        old_district="huyện U Minh Thượng", old_province="tỉnh Kiên Giang",
        historical_origin="Huyện U Minh Thượng, tỉnh Kiên Giang (cũ)",
        phone="0916 448 902", email="matongrunguminh@producers.ocop.local",
    ),
    # --- Cần Thơ (92), with former Sóc Trăng and Hậu Giang -----------------------------------
    DemoProducer(
        "cai-rang", "Hợp tác xã Hủ tiếu Cái Răng", "Cái Răng Rice Noodle Cooperative",
        "cooperative", "1800223456", 92, 31186, "Khu vực Thạnh Mỹ, phường Cái Răng, thành phố Cần Thơ",
        "Xưởng hủ tiếu và bánh tráng bên chợ nổi Cái Răng, tráng bột gạo và phơi trên giàn tre.",
        "Rice-noodle and rice-paper makers by Cái Răng floating market, steaming rice batter "
        "and drying it on bamboo racks.",
        old_district="quận Cái Răng",
        historical_origin="Quận Cái Răng, thành phố Cần Thơ (trước 2025)",
        craft_village="Làng nghề hủ tiếu Cái Răng",
        phone="0292 3846 600", email="hutieucairang@producers.ocop.local",
    ),
    DemoProducer(
        "tranh-gao", "Cơ sở Tranh gạo Ninh Kiều", "Ninh Kiều Rice Paintings",
        "household", "1800234567", 92, 31135, "Số 45 đường Hai Bà Trưng, phường Ninh Kiều, thành phố Cần Thơ",
        "Tranh ghép từ hạt gạo rang nhiều màu, không dùng phẩm nhuộm.",
        "Pictures composed grain by grain from rice roasted to different shades, with no dye.",
        old_district="quận Ninh Kiều",
        historical_origin="Quận Ninh Kiều, thành phố Cần Thơ (trước 2025)",
        phone="0292 3810 246", email="tranhgaoninhkieu@producers.ocop.local",
    ),
    DemoProducer(
        "phong-dien", "Hợp tác xã Nông nghiệp Du lịch Phong Điền",
        "Phong Điền Agritourism Cooperative",
        "cooperative", "1800245678", 92, 31299, "Ấp Nhơn Lộc, xã Phong Điền, thành phố Cần Thơ",
        "Các nhà vườn Phong Điền mở cửa đón khách hái trái, chèo xuồng trên kênh rạch.",
        "Phong Điền's orchard families opening their gardens for fruit picking and canoeing "
        "on the canals.",
        old_district="huyện Phong Điền",
        historical_origin="Huyện Phong Điền, thành phố Cần Thơ (trước 2025)",
        phone="0292 3942 030", email="dulichphongdien@producers.ocop.local",
    ),
    DemoProducer(
        "my-xuyen", "Công ty TNHH Bánh pía Mỹ Xuyên", "Mỹ Xuyên Pía Cake Co., Ltd.",
        "enterprise", "2200256789", 92, 31684,
        "Số 12 đường Trần Hưng Đạo, phường Mỹ Xuyên, thành phố Cần Thơ",
        "Lò bánh pía của người Hoa Triều Châu, vỏ bánh cán tay hơn 20 lớp.",
        "A Teochew family bakery of pía cakes, their pastry rolled by hand into more than "
        "twenty layers.",
        old_district="huyện Mỹ Xuyên", old_province="tỉnh Sóc Trăng",
        historical_origin="Huyện Mỹ Xuyên, tỉnh Sóc Trăng (cũ)",
        phone="0299 3851 888", email="banhpiamyxuyen@producers.ocop.local",
    ),
    DemoProducer(
        "hoa-tu", "Hợp tác xã Lúa tôm Hòa Tú", "Hòa Tú Rice-Shrimp Cooperative",
        "cooperative", "2200267890", 92, 31717, "Ấp Hòa Phuông, xã Hòa Tú, thành phố Cần Thơ",
        "Lúa ST25 trồng luân canh với tôm trên đất nhiễm mặn, không dùng thuốc bảo vệ thực vật.",
        "ST25 rice grown in rotation with shrimp on brackish land, without pesticides.",
        old_district="huyện Mỹ Xuyên", old_province="tỉnh Sóc Trăng",
        historical_origin="Xã Hòa Tú 1, huyện Mỹ Xuyên, tỉnh Sóc Trăng (cũ)",
        phone="0299 3640 215", email="luatomhoatu@producers.ocop.local",
    ),
    DemoProducer(
        "cau-duc", "Công ty Cổ phần Nông sản Cầu Đúc", "Cầu Đúc Farm Produce JSC",
        "enterprise", "6300278901", 92, 31338, "Ấp 7, xã Hỏa Lựu, thành phố Cần Thơ",
        "Khóm Cầu Đúc trồng trên đất phèn, trái nhỏ, ngọt thanh, được chế biến ngay trong ngày.",
        "Cầu Đúc pineapples grown on acid-sulphate soil: small, sweet and processed the day "
        "they are picked.",
        old_district="thành phố Vị Thanh", old_province="tỉnh Hậu Giang",
        historical_origin="Thành phố Vị Thanh, tỉnh Hậu Giang (cũ)",
        phone="0293 3870 556", email="khomcauduc@producers.ocop.local",
    ),
    DemoProducer(
        "vi-thuy", "Tổ hợp tác Đan lục bình Vị Thủy", "Vị Thủy Water-Hyacinth Weaving Group",
        "cooperative_group", "6300289012", 92, 31441, "Ấp 4, xã Vị Thủy, thành phố Cần Thơ",
        "Lục bình vớt trên kênh được phơi khô và đan thành túi, giỏ, giúp khơi thông dòng chảy.",
        "Water hyacinth cleared from the canals, dried and woven into bags and baskets.",
        old_district="huyện Vị Thủy", old_province="tỉnh Hậu Giang",
        historical_origin="Huyện Vị Thủy, tỉnh Hậu Giang (cũ)",
        phone="0939 114 276", email="lucbinhvithuy@producers.ocop.local",
    ),
)

PRODUCTS: tuple[DemoProduct, ...] = (
    # --- Lào Cai ---------------------------------------------------------------------------
    DemoProduct(
        "bac-ha", "Rượu ngô Bắc Hà", "Bắc Hà corn wine", "beverage", "chai 500ml", "500 ml bottle",
        135_000,
        "Rượu ngô nấu từ ngô hạt bản địa và men lá của người Mông, trong vắt, êm và thơm mùi ngô "
        "rang.",
        "Corn wine distilled from local flint corn with H'Mông leaf yeast: clear, smooth, "
        "smelling of roasted corn.",
        "bottle",
        # Re-certified before the old decision ends: the new one is current, no reminder due.
        (C("1527/QĐ-UBND", 4, 78, ends_in=30), C("2381/QĐ-UBND", 4, 81, age=20)),
        gtin=gtin13("893605112001"),
    ),
    DemoProduct(
        "bac-ha", "Chè Shan tuyết Tả Củ Tỷ", "Tả Củ Tỷ shan tuyết tea", "beverage", "hộp 200g",
        "200 g box", 260_000,
        "Búp chè từ những cây Shan tuyết trăm tuổi trên núi Tả Củ Tỷ, sao tay, nước vàng sánh, "
        "hậu ngọt.",
        "Buds from century-old shan tuyết tea trees on Tả Củ Tỷ mountain, hand-roasted: a "
        "golden cup with a sweet finish.",
        "cup",
        # Anh Tuấn's dashboard: this certificate ends in 52 days.
        (C("98/QĐ-UBND", 4, 83, ends_in=52),),
    ),
    DemoProduct(
        "bac-ha", "Mận tam hoa sấy dẻo", "Soft-dried tam hoa plums", "food", "hộp 250g",
        "250 g box", 89_000,
        "Mận tam hoa Bắc Hà sấy lạnh, giữ vị chua ngọt, không đường hóa học.",
        "Bắc Hà's tam hoa plums, cold-dried to keep their sweet-sour taste, with no "
        "artificial sweetener.",
        "fruit",
        (C("845/QĐ-UBND", 3, 64, age=640),),
    ),
    DemoProduct(
        "ta-phin", "Lá tắm người Dao đỏ", "Red Dao herbal bath leaves", "herbal", "gói 250g",
        "250 g pack", 85_000,
        "Hỗn hợp hơn 20 loại lá rừng phơi khô, đun lấy nước ngâm tắm giúp thư giãn, ấm người.",
        "More than twenty dried forest herbs, boiled for a relaxing, warming bath.",
        "leaf",
        (C("2210/QĐ-UBND", 4, 76, age=420),),
    ),
    DemoProduct(
        "ta-phin", "Cao xoa bóp thảo dược Tả Phìn", "Tả Phìn herbal balm", "herbal", "lọ 50g",
        "50 g jar", 120_000,
        "Cao xoa bóp nấu từ gừng, quế, đại hồi và lá rừng, dùng xoa bóp khi mỏi cơ.",
        "A balm cooked from ginger, cinnamon, star anise and forest leaves, for tired muscles.",
        "tin",
        (C("3105/QĐ-UBND", 3, 61, age=640),),
    ),
    DemoProduct(
        "ta-van", "Túi thổ cẩm nhuộm chàm", "Indigo-dyed brocade bag", "textile", "chiếc",
        "piece", 280_000,
        "Túi vải lanh dệt tay, nhuộm chàm nhiều lần và vẽ sáp ong hoa văn truyền thống.",
        "A hand-woven hemp bag, dyed in indigo many times over, with beeswax-drawn "
        "traditional patterns.",
        "cloth",
        (C("3105/QĐ-UBND", 3, 66, age=640),),
    ),
    DemoProduct(
        "ta-van", "Khăn choàng lanh nhuộm chàm", "Indigo hemp shawl", "textile", "chiếc",
        "piece", 350_000,
        "Khăn choàng vải lanh mềm, thêu viền chỉ màu của người Giáy.",
        "A soft hemp shawl edged with Giáy colour embroidery.",
        "scarf",
        (C("2210/QĐ-UBND", 4, 72, age=420),),
    ),
    DemoProduct(
        "ban-ho", "Homestay Bản Dền – nhà sàn người Tày", "Bản Dền Tày stilt-house homestay",
        "tourism", "khách/đêm", "per guest per night", 350_000,
        "Nghỉ nhà sàn, ăn cơm cùng gia đình và tắm lá thuốc; đặt qua điện thoại 0983 226 104.",
        "Stay in a stilt house, share the family's dinner and a herbal bath; book on "
        "0983 226 104.",
        "house",
        (C("1862/QĐ-UBND", 3, 58, age=700),),
    ),
    DemoProduct(
        "ban-ho", "Tour đi bộ thung lũng Mường Hoa", "Mường Hoa valley walking tour", "tourism",
        "khách/ngày", "per guest per day", 450_000,
        "Một ngày đi bộ qua ruộng bậc thang và bãi đá cổ cùng hướng dẫn viên người địa phương.",
        "A day's walk through rice terraces and the ancient carved rocks with a local guide.",
        "mountain",
        (C("1862/QĐ-UBND", 3, 55, age=700),),
    ),
    DemoProduct(
        "van-yen", "Tinh dầu quế Văn Yên", "Văn Yên cinnamon oil", "herbal", "lọ 10ml",
        "10 ml bottle", 95_000,
        "Tinh dầu chưng cất từ lá và cành quế, thơm ấm, dùng xông phòng và xoa bóp.",
        "Oil distilled from cinnamon leaves and twigs: a warm scent for the room or a massage.",
        "vial",
        (C("3314/QĐ-UBND", 4, 74, ends_in=10),),
    ),
    DemoProduct(
        "van-yen", "Quế thanh Văn Yên", "Văn Yên cinnamon sticks", "food", "hộp 100g",
        "100 g box", 60_000,
        "Vỏ quế cạo sạch, cuộn thanh đều, dùng nấu phở và pha trà.",
        "Scraped cinnamon bark rolled into even sticks, for phở broth and tea.",
        "sticks",
        (C("1104/QĐ-UBND", 3, 63, age=760),),
    ),
    DemoProduct(
        "tu-le", "Gạo nếp Tú Lệ", "Tú Lệ sticky rice", "food", "túi 2kg", "2 kg bag", 110_000,
        "Nếp tan Tú Lệ hạt tròn, dẻo thơm, đồ xôi để nguội vẫn mềm.",
        "Round-grained 'nếp tan' rice from Tú Lệ: fragrant, and soft even when the xôi has "
        "cooled.",
        "grains",
        (C("582/QĐ-UBND", 4, 85, age=980),),
    ),
    DemoProduct(
        "tu-le", "Cốm Tú Lệ", "Tú Lệ green rice flakes", "food", "gói 500g", "500 g pack",
        90_000,
        "Cốm giã từ lúa nếp non mùa thu, màu xanh tự nhiên, ăn kèm chuối hoặc làm chả cốm.",
        "Flakes pounded from young autumn sticky rice, naturally green: eat with banana or "
        "make chả cốm.",
        "pack",
        (C("736/QĐ-UBND", 3, 57, age=760),),
    ),
    DemoProduct(
        "mu-cang-chai", "Homestay ruộng bậc thang La Pán Tẩn", "La Pán Tẩn rice-terrace homestay",
        "tourism", "khách/đêm", "per guest per night", 400_000,
        "Nhà gỗ nhìn ra ruộng bậc thang, đẹp nhất mùa lúa chín tháng 9; gọi 0979 551 230 để "
        "đặt chỗ.",
        "A wooden house looking over the rice terraces, loveliest at the September harvest; "
        "call 0979 551 230 to book.",
        "house",
        # After 1 July 2025: a 3★ decision of the province (1489/QĐ-TTg).
        (C("215/QĐ-UBND", 3, 62, age=150),),
    ),
    DemoProduct(
        "mu-cang-chai", "Mật ong hoa rừng Mù Cang Chải", "Mù Cang Chải wildflower honey", "food",
        "chai 500ml", "500 ml bottle", 250_000,
        "Mật ong từ đàn ong nội nuôi giữa rừng sa mu, vị ngọt đậm, hơi chát.",
        "Honey of native bees kept in the sa mu forest: rich, with a slightly astringent note.",
        "jar",
        (C("1210/QĐ-UBND", 3, 60, age=700),),
    ),
    # --- Ninh Bình ---------------------------------------------------------------------------
    DemoProduct(
        "hoa-lu", "Cơm cháy chà bông Ninh Bình", "Ninh Bình crispy rice with pork floss", "food",
        "gói 200g", "200 g pack", 55_000,
        "Cơm cháy gạo tám sấy giòn, phủ chà bông và mỡ hành, món quà quen thuộc của cố đô.",
        "Crisp cakes of fragrant rice topped with pork floss and scallion oil, the classic "
        "gift from the ancient capital.",
        "cake",
        # Upgraded 3★ → 4★ by a newer decision before the old one ended.
        (C("2117/QĐ-UBND", 3, 67, age=1000), C("1382/QĐ-UBND", 4, 77, age=200)),
        gtin=gtin13("893604821001"),
    ),
    DemoProduct(
        "hoa-lu", "Cơm cháy mắm hành", "Crispy rice with fish sauce and scallion", "food",
        "gói 200g", "200 g pack", 50_000,
        "Cơm cháy rưới nước mắm đường và hành phi, giòn rụm, mặn ngọt hài hòa.",
        "Crispy rice drizzled with sweet fish sauce and fried shallots: crunchy, salty-sweet.",
        "cake",
        (C("2117/QĐ-UBND", 3, 59, age=1000),),
    ),
    DemoProduct(
        "kim-son", "Rượu Kim Sơn", "Kim Sơn rice wine", "beverage", "chai 500ml",
        "500 ml bottle", 140_000,
        "Rượu nếp cái hoa vàng 29,5 độ, êm, thơm mùi nếp, nổi tiếng từ thời vua Minh Mạng.",
        "Yellow-flower sticky rice wine at 29.5% that is smooth and fragrant, famous since "
        "Emperor Minh Mạng's reign.",
        "bottle",
        (C("4433/QĐ-BNN-KTHT", 5, 91, age=680),),
        gtin=gtin13("893604822001"),
    ),
    DemoProduct(
        "kim-son", "Rượu Kim Sơn bình sứ 1,5 lít", "Kim Sơn rice wine, 1.5 l porcelain jar",
        "beverage", "bình 1,5 lít", "1.5 l jar", 420_000,
        "Rượu Kim Sơn hạ thổ một năm, đựng bình sứ Bát Tràng vẽ tay, làm quà biếu.",
        "Kim Sơn wine aged a year underground, in a hand-painted Bát Tràng porcelain jar: a "
        "fine gift.",
        "jar",
        (C("1382/QĐ-UBND", 4, 84, age=200),),
    ),
    DemoProduct(
        "quang-thien", "Giỏ cói Kim Sơn", "Kim Sơn sedge basket", "craft", "chiếc", "piece",
        180_000,
        "Giỏ xách đan tay từ cói Kim Sơn, quai da, bền và nhẹ.",
        "A hand-woven Kim Sơn sedge basket with leather handles, light and strong.",
        "basket",
        (C("1382/QĐ-UBND", 4, 73, age=200),),
    ),
    DemoProduct(
        "quang-thien", "Thảm cói trải sàn", "Sedge floor mat", "craft", "tấm 1,2×1,8m",
        "1.2 × 1.8 m mat", 450_000,
        "Thảm cói dệt hoa văn nhuộm màu tự nhiên, mát mùa hè.",
        "A sedge mat woven with naturally dyed patterns, cool in summer.",
        "mat",
        (C("1650/QĐ-UBND", 3, 62, age=1000),),
    ),
    DemoProduct(
        "tam-coc", "Homestay Tam Cốc – trải nghiệm làng quê", "Tam Cốc countryside homestay",
        "tourism", "phòng đôi/đêm", "double room per night", 650_000,
        "Phòng nhìn ra đồng lúa, có xe đạp miễn phí và bữa sáng; đặt qua 0966 312 588.",
        "Rooms over the rice fields, free bicycles and breakfast; book on 0966 312 588.",
        "house",
        # After 1 July 2025: recognised by the ward's People's Committee.
        (C("96/QĐ-UBND", 3, 56, age=90),),
    ),
    DemoProduct(
        "yen-mac", "Nem chua Yên Mạc", "Yên Mạc fermented pork rolls", "food",
        "hộp 10 chiếc", "box of 10", 60_000,
        "Nem chua thịt nạc, bì và thính gạo, gói lá ổi, chua dịu, ăn kèm tỏi ớt.",
        "Lean pork, pork skin and toasted rice powder wrapped in guava leaves: gently sour, "
        "eaten with garlic and chilli.",
        "pack",
        (C("1870/QĐ-UBND", 3, 60, age=820),),
    ),
    DemoProduct(
        "hai-hau", "Gạo tám xoan Hải Hậu", "Hải Hậu tám xoan rice", "food", "túi 5kg",
        "5 kg bag", 175_000,
        "Gạo hạt nhỏ, dài, thơm mùi cốm, cơm dẻo và để nguội không cứng.",
        "Small, long grains smelling of young rice; the cooked rice stays soft when cold.",
        "grains",
        (C("3120/QĐ-UBND", 4, 86, age=880),),
    ),
    DemoProduct(
        "hai-hau", "Bánh nhãn Hải Hậu", "Hải Hậu longan-shaped cookies", "food", "hộp 300g",
        "300 g box", 65_000,
        "Bánh tròn nhỏ như hạt nhãn, làm từ bột nếp và trứng, giòn xốp, ngọt nhẹ.",
        "Little cookies the size of longan seeds, of sticky-rice flour and egg: crisp, airy, "
        "lightly sweet.",
        "cake",
        (C("2406/QĐ-UBND", 3, 54, age=900),),
    ),
    DemoProduct(
        "nha-xa", "Khăn lụa tơ tằm Nha Xá", "Nha Xá silk scarf", "textile", "chiếc", "piece",
        320_000,
        "Khăn lụa tơ tằm dệt trên khung Nha Xá, mềm, mát, nhuộm màu thực vật.",
        "A silk scarf from Nha Xá looms: soft, cool, plant-dyed.",
        "scarf",
        (C("2875/QĐ-UBND", 4, 79, ends_in=58),),
    ),
    DemoProduct(
        "nha-xa", "Lụa tơ tằm Nha Xá (mét)", "Nha Xá silk by the metre", "textile", "mét",
        "metre", 250_000,
        "Lụa trơn khổ 90 cm, dệt từ tơ tằm nguyên chất, may áo dài và áo sơ mi.",
        "Plain 90 cm silk of pure silk yarn, for áo dài and shirts.",
        "cloth",
        (C("1490/QĐ-UBND", 3, 65, age=870),),
    ),
    DemoProduct(
        "ngoc-dong", "Khay mây giang đan", "Woven rattan tray", "craft", "chiếc", "piece",
        220_000,
        "Khay mây giang đan tay, xử lý chống mốc, dùng bày trái cây, bánh kẹo.",
        "A hand-woven rattan tray, treated against mould, for fruit and sweets.",
        "basket",
        (C("1490/QĐ-UBND", 3, 60, age=870),),
    ),
    DemoProduct(
        "ngoc-dong", "Đèn mây trang trí", "Rattan pendant lamp", "craft", "chiếc", "piece",
        380_000,
        "Chao đèn đan mây giang hình bầu, ánh sáng ấm qua từng nan mây.",
        "A gourd-shaped rattan lampshade, warm light filtering through every strand.",
        "lamp",
        (C("1764/QĐ-UBND", 4, 75, age=780),),
    ),
    DemoProduct(
        "phat-diem", "Chè lam Phát Diệm", "Phát Diệm ginger rice cakes", "food", "hộp 300g",
        "300 g box", 45_000,
        "Chè lam bột nếp, mật mía, gừng và lạc, dẻo thơm, ăn cùng trà xanh.",
        "Sticky-rice cakes with cane molasses, ginger and peanuts, soft and fragrant, eaten "
        "with green tea.",
        "cake",
        (C("2034/QĐ-UBND", 3, 52, age=820),),
    ),
    # --- Quảng Ngãi --------------------------------------------------------------------------
    DemoProduct(
        "ngoc-linh", "Sâm Ngọc Linh tươi", "Fresh Ngọc Linh ginseng", "herbal", "hộp 100g",
        "100 g box", 15_000_000,
        "Củ sâm Ngọc Linh trên 6 năm tuổi, kèm giấy truy xuất nguồn gốc từng củ.",
        "Ngọc Linh ginseng roots over six years old, each with its traceability record.",
        "root",
        (C("2871/QĐ-BNNMT-KTHT", 5, 96, age=300),),
    ),
    DemoProduct(
        "ngoc-linh", "Rượu sâm Ngọc Linh", "Ngọc Linh ginseng liquor", "beverage",
        "bình 1 lít", "1 l jar", 2_800_000,
        "Củ sâm Ngọc Linh ngâm trong rượu nếp, bình thủy tinh thổi tay.",
        "A Ngọc Linh ginseng root steeped in sticky rice spirit, in a hand-blown glass jar.",
        "jar",
        (C("1598/QĐ-UBND", 4, 80, age=950),),
    ),
    DemoProduct(
        "ngoc-linh", "Trà túi lọc lá sâm Ngọc Linh", "Ngọc Linh ginseng leaf tea bags", "herbal",
        "hộp 20 túi", "box of 20 bags", 180_000,
        "Lá và thân sâm sấy khô, vị đắng nhẹ hậu ngọt, pha nhanh mỗi sáng.",
        "Dried ginseng leaves and stems, lightly bitter with a sweet finish, quick to brew.",
        "cup",
        (C("731/QĐ-UBND", 3, 68, age=590),),
    ),
    DemoProduct(
        "ngoc-linh", "Sâm Ngọc Linh thái lát sấy", "Sliced dried Ngọc Linh ginseng", "herbal",
        "hộp 50g", "50 g box", None,
        "Sâm thái lát mỏng sấy lạnh; hợp tác xã đang hoàn thiện nhãn trước khi mở bán.",
        "Thinly sliced, cold-dried ginseng; the cooperative is finishing its label before "
        "selling it.",
        "root",
        (C("1598/QĐ-UBND", 4, 82, age=950),),
        published=False,
    ),
    DemoProduct(
        "kon-ray", "Sâm dây Kon Rẫy", "Kon Rẫy sâm dây root", "herbal", "túi 500g",
        "500 g bag", 350_000,
        "Rễ sâm dây (đảng sâm) trồng dưới tán rừng Kon Rẫy, phơi khô, dùng hầm gà hoặc ngâm "
        "rượu.",
        "Codonopsis root grown under Kon Rẫy's forest canopy and dried, for chicken soup or "
        "steeping.",
        "root",
        (C("1256/QĐ-UBND", 3, 63, age=900),),
    ),
    DemoProduct(
        "kon-ray", "Cà phê Robusta Kon Rẫy", "Kon Rẫy robusta coffee", "beverage", "gói 500g",
        "500 g pack", 160_000,
        "Cà phê vối hái chín, rang mộc, đậm và ít chua, hợp pha phin.",
        "Ripe-picked robusta, roasted plain: strong, low in acidity, made for the phin filter.",
        "beans",
        (C("1598/QĐ-UBND", 4, 78, age=950),),
    ),
    DemoProduct(
        "kon-ray", "Măng le khô Kon Rẫy", "Dried Kon Rẫy bamboo shoots", "food", "túi 500g",
        "500 g bag", 140_000,
        "Măng le rừng luộc và phơi khô trên gác bếp, giòn, ngọt, dùng nấu canh và xào.",
        "Wild bamboo shoots boiled and dried over the kitchen fire: crunchy and sweet, for "
        "soups and stir-fries.",
        "sticks",
        (C("07/QĐ-UBND", 3, 58, ends_in=40),),
    ),
    DemoProduct(
        "kon-ray", "Cà phê rang xay Đăk Kôi", "Đăk Kôi ground coffee", "beverage", "gói 250g",
        "250 g pack", 95_000,
        "Sản phẩm mới, đã đăng ký đánh giá OCOP trong kỳ tới.",
        "A new product, registered for the next OCOP evaluation.",
        "beans",
        (),
    ),
    DemoProduct(
        "kon-braih", "Váy thổ cẩm Xơ Đăng", "Xơ Đăng brocade skirt", "textile", "chiếc",
        "piece", 650_000,
        "Váy quấn dệt tay trên khung dệt đeo lưng, mất khoảng hai tuần cho mỗi chiếc.",
        "A wrap skirt woven on a backstrap loom, about two weeks' work each.",
        "cloth",
        (C("1256/QĐ-UBND", 3, 67, age=900),),
    ),
    DemoProduct(
        "kon-braih", "Khăn thổ cẩm Xơ Đăng", "Xơ Đăng brocade scarf", "textile", "chiếc",
        "piece", 220_000,
        "Khăn dệt hoa văn hình thoi và răng cưa, màu đỏ, đen, trắng đặc trưng.",
        "A scarf woven with diamond and saw-tooth motifs in the typical red, black and white.",
        "scarf",
        (C("1256/QĐ-UBND", 3, 59, age=900),),
    ),
    DemoProduct(
        "mang-den", "Du lịch cộng đồng làng Kon Pring – Măng Đen",
        "Kon Pring village community tourism, Măng Đen", "tourism", "khách/ngày",
        "per guest per day", 300_000,
        "Một ngày ở làng: nghe cồng chiêng, ăn cơm lam gà nướng, hái cà phê; hẹn trước qua "
        "0260 3556 789.",
        "A day in the village: gong music, bamboo rice with grilled chicken and coffee picking; "
        "book ahead on 0260 3556 789.",
        "house",
        (C("588/QĐ-UBND", 4, 71, age=380),),
    ),
    DemoProduct(
        "mang-den", "Cà phê Arabica Măng Đen", "Măng Đen arabica coffee", "beverage",
        "gói 250g", "250 g pack", 180_000,
        "Arabica trồng ở độ cao 1.200 m, sơ chế ướt, hương hoa và trái cây.",
        "Arabica grown at 1,200 m and washed: floral and fruity.",
        "beans",
        (C("655/QĐ-UBND", 3, 65, age=590),),
    ),
    DemoProduct(
        "ly-son", "Tỏi cô đơn Lý Sơn", "Lý Sơn single-clove garlic", "food", "túi 500g",
        "500 g bag", 250_000,
        "Tỏi một tép hiếm gặp, vị cay nồng, thơm, thường dùng ngâm rượu hoặc mật ong.",
        "Rare single-clove garlic, pungent and fragrant, often steeped in liquor or honey.",
        "garlic",
        (C("588/QĐ-UBND", 4, 88, age=380),),
    ),
    DemoProduct(
        "ly-son", "Tỏi đen Lý Sơn", "Lý Sơn black garlic", "food", "hộp 250g", "250 g box",
        280_000,
        "Tỏi Lý Sơn lên men 60 ngày, tép đen mềm, vị ngọt như mứt.",
        "Lý Sơn garlic aged for 60 days until the cloves turn black, soft and jam-sweet.",
        "garlic",
        (C("1190/QĐ-UBND", 3, 64, age=740),),
    ),
    DemoProduct(
        "thi-pho", "Mạch nha Thi Phổ", "Thi Phổ malt syrup", "food", "hũ 500g", "500 g jar",
        60_000,
        "Mạch nha trong, vàng óng, ăn cùng bánh tráng hoặc pha nước gừng.",
        "Clear golden malt syrup, eaten on rice crackers or stirred into ginger tea.",
        "jar",
        (C("1033/QĐ-UBND", 3, 61, age=740),),
    ),
    DemoProduct(
        "thi-pho", "Kẹo gương Quảng Ngãi", "Quảng Ngãi peanut brittle sheets", "food",
        "hộp 200g", "200 g box", 45_000,
        "Mạch nha trộn đậu phộng tráng mỏng trên bánh tráng, trong như gương.",
        "Malt syrup and peanuts spread thin on rice paper, clear as a mirror.",
        "cake",
        (C("212/QĐ-UBND", 3, 56, ends_in=75),),
    ),
    # --- An Giang ----------------------------------------------------------------------------
    DemoProduct(
        "pq-fish-sauce", "Nước mắm Phú Quốc 40 độ đạm", "Phú Quốc fish sauce, 40° protein",
        "food", "chai 500ml", "500 ml bottle", 145_000,
        "Nước mắm nhỉ đầu tiên từ thùng gỗ, màu cánh gián, vị đạm ngọt hậu; sản phẩm có chỉ "
        "dẫn địa lý Phú Quốc.",
        "The first drip from the wooden barrel: amber, rich and sweet-finishing, under the Phú "
        "Quốc geographical indication.",
        "bottle",
        (C("3562/QĐ-BNN-KTHT", 5, 93, age=900),),
        gtin=gtin13("893607310001"),
    ),
    DemoProduct(
        "pq-fish-sauce", "Nước mắm cá cơm Phú Quốc 30 độ đạm", "Phú Quốc anchovy fish sauce, 30°",
        "food", "chai 750ml", "750 ml bottle", 98_000,
        "Nước mắm truyền thống dùng hằng ngày, chấm và nêm đều ngon.",
        "Traditional everyday fish sauce, for dipping and cooking alike.",
        "bottle",
        (C("2245/QĐ-UBND", 4, 82, age=700),),
        gtin=gtin13("893607310002"),
    ),
    DemoProduct(
        "pq-pepper", "Tiêu đen Phú Quốc", "Phú Quốc black pepper", "food", "hộp 200g",
        "200 g box", 95_000,
        "Hạt tiêu chắc, cay nồng, thơm; trồng không hóa chất trên đất đỏ Phú Quốc.",
        "Dense, hot, aromatic peppercorns grown without chemicals on Phú Quốc's red soil.",
        "pepper",
        (C("2245/QĐ-UBND", 4, 80, age=700),),
        gtin=gtin13("893607311001"),
    ),
    DemoProduct(
        "pq-pepper", "Tiêu sọ trắng Phú Quốc", "Phú Quốc white pepper", "food", "hộp 200g",
        "200 g box", 160_000,
        "Tiêu chín đỏ ngâm bỏ vỏ, phơi trắng, cay thanh, hợp món cháo và súp.",
        "Ripe red pepper soaked and hulled, then sun-dried white: clean heat for congee and "
        "soups.",
        "pepper",
        (C("1176/QĐ-UBND", 4, 77, age=300),),
    ),
    DemoProduct(
        "pq-pepper", "Tiêu xanh ngâm muối", "Green peppercorns in brine", "food", "hũ 300g",
        "300 g jar", 75_000,
        "Chùm tiêu xanh non ngâm nước muối, ăn kèm hải sản nướng.",
        "Young green pepper clusters in brine, for grilled seafood.",
        "jar",
        (C("890/QĐ-UBND", 3, 62, age=600),),
    ),
    DemoProduct(
        "pq-pearl", "Vòng cổ ngọc trai Phú Quốc", "Phú Quốc pearl necklace", "craft", "chiếc",
        "piece", 2_500_000,
        "Chuỗi ngọc trai nuôi tại vịnh An Thới, hạt 7–8 mm, khóa bạc.",
        "A strand of pearls grown in An Thới bay, 7–8 mm, with a silver clasp.",
        "pearls",
        (C("2245/QĐ-UBND", 4, 75, age=700),),
    ),
    DemoProduct(
        "pq-pearl", "Bông tai ngọc trai Phú Quốc", "Phú Quốc pearl earrings", "craft", "đôi",
        "pair", 850_000,
        "Đôi bông tai ngọc trai trắng, chân bạc 925.",
        "A pair of white pearl earrings on sterling silver.",
        "pearls",
        (C("890/QĐ-UBND", 3, 66, age=600),),
    ),
    DemoProduct(
        "ham-ninh", "Rượu sim Phú Quốc", "Phú Quốc rose-myrtle wine", "beverage", "chai 500ml",
        "500 ml bottle", 150_000,
        "Rượu vang sim rừng màu tím, ngọt nhẹ, thơm mùi trái chín.",
        "Purple wine of wild rose-myrtle berries, lightly sweet, smelling of ripe fruit.",
        "bottle",
        (C("890/QĐ-UBND", 3, 60, age=600),),
    ),
    DemoProduct(
        "ham-ninh", "Rượu sim rừng ngâm mật ong", "Rose-myrtle liqueur with honey", "beverage",
        "chai 500ml", "500 ml bottle", 180_000,
        "Trái sim ngâm rượu nếp và mật ong, để tối thiểu ba tháng.",
        "Rose-myrtle berries steeped in sticky rice spirit and honey for at least three months.",
        "bottle",
        (C("890/QĐ-UBND", 3, 57, age=600, revoked_days_ago=1,
           revoke_reason="Vi phạm quy định ghi nhãn: nồng độ cồn trên nhãn sai lệch so với kết "
                         "quả kiểm nghiệm (đợt kiểm tra của Sở Công Thương)."),),
    ),
    DemoProduct(
        "ham-ninh", "Trải nghiệm làng chài Hàm Ninh", "Hàm Ninh fishing village experience",
        "tourism", "khách/buổi", "per guest per session", 350_000,
        "Ra bè cùng ngư dân, bắt ghẹ và ăn hải sản trên cầu tàu; hẹn qua 0918 772 041.",
        "Go out to the rafts with fishermen, catch crabs and eat seafood on the pier; book on "
        "0918 772 041.",
        "boat",
        (C("1176/QĐ-UBND", 4, 70, age=300),),
    ),
    DemoProduct(
        "chau-doc", "Mắm cá linh Châu Đốc", "Châu Đốc fermented linh fish", "food", "hũ 500g",
        "500 g jar", 95_000,
        "Cá linh mùa nước nổi ủ muối và thính, chưng hoặc kho đều ngon.",
        "Flood-season linh fish fermented with salt and toasted rice, for steaming or "
        "braising.",
        "jar",
        (C("2468/QĐ-UBND", 3, 58, ends_in=25),),
    ),
    DemoProduct(
        "chau-doc", "Mắm thái đu đủ", "Mắm thái with green papaya", "food", "hũ 500g",
        "500 g jar", 110_000,
        "Mắm cá lóc thái sợi trộn đu đủ, thính và tỏi ớt, ăn cùng thịt luộc.",
        "Shredded fermented snakehead with green papaya, rice powder, garlic and chilli, eaten "
        "with boiled pork.",
        "jar",
        (C("1176/QĐ-UBND", 4, 73, age=300),),
    ),
    DemoProduct(
        "tri-ton", "Đường thốt nốt Bảy Núi", "Bảy Núi palm sugar", "food", "hộp 500g",
        "500 g box", 70_000,
        "Đường thốt nốt nguyên chất cô trên bếp củi, thơm mùi khói, ngọt thanh.",
        "Pure palm sugar boiled down over wood fires: smoky and gently sweet.",
        "cake",
        (C("1980/QĐ-UBND", 4, 87, age=700),),
    ),
    DemoProduct(
        "tri-ton", "Nước thốt nốt đóng chai", "Bottled palm juice", "beverage", "chai 330ml",
        "330 ml bottle", 15_000,
        "Nước thốt nốt tươi thanh trùng, uống lạnh giải nhiệt.",
        "Fresh palmyra sap, pasteurised; drink it cold on a hot day.",
        "bottle",
        (C("1302/QĐ-UBND", 3, 55, age=1040),),
    ),
    DemoProduct(
        "tan-chau", "Lãnh Mỹ A Tân Châu", "Tân Châu Mỹ A black silk", "textile", "mét",
        "metre", 320_000,
        "Lãnh đen bóng nhuộm trái mặc nưa, càng mặc càng mềm, từng là vải của giới quý tộc "
        "Nam Kỳ.",
        "Glossy black silk dyed with mặc nưa fruit that softens with wear, once the cloth of "
        "southern gentry.",
        "cloth",
        (C("1980/QĐ-UBND", 4, 89, age=700),),
    ),
    DemoProduct(
        "tan-chau", "Khăn choàng lụa Tân Châu", "Tân Châu silk shawl", "textile", "chiếc",
        "piece", 280_000,
        "Khăn choàng lụa tơ tằm nhuộm màu tự nhiên từ vỏ cây.",
        "A silk shawl in natural bark dyes.",
        "scarf",
        (C("1749/QĐ-UBND", 3, 63, age=1040),),
    ),
    DemoProduct(
        "van-giao", "Khăn thổ cẩm Khmer Văn Giáo", "Văn Giáo Khmer woven scarf", "textile",
        "chiếc", "piece", 150_000,
        "Khăn kẻ ô dệt tay của người Khmer, dùng quàng cổ hoặc làm khăn trải bàn.",
        "A hand-woven Khmer checked scarf, for the neck or the table.",
        "scarf",
        (C("1518/QĐ-UBND", 3, 60, age=1040),),
    ),
    DemoProduct(
        "van-giao", "Du lịch làng dệt Văn Giáo", "Văn Giáo weaving village visit", "tourism",
        "khách/buổi", "per guest per session", 200_000,
        "Thăm khung dệt dưới nhà sàn, thử dệt một đoạn khăn và uống nước thốt nốt; gọi "
        "0296 3875 321.",
        "Visit the looms under the stilt houses, weave a few rows of a scarf and drink palm "
        "juice; call 0296 3875 321.",
        "house",
        (C("512/QĐ-UBND", 3, 53, age=600),),
    ),
    DemoProduct(
        "u-minh", "Mật ong rừng U Minh Thượng", "U Minh Thượng forest honey", "food",
        "chai 500ml", "500 ml bottle", 320_000,
        "Mật ong hoa tràm lấy từ kèo ong trong rừng tràm U Minh Thượng.",
        "Melaleuca-flower honey from rafter hives in U Minh Thượng's forest.",
        "jar",
        (C("2245/QĐ-UBND", 4, 76, age=700, revoked_days_ago=12,
           revoke_reason="Kết quả kiểm tra an toàn thực phẩm định kỳ không đạt: hàm lượng HMF "
                         "vượt giới hạn cho phép (TCVN 5267-2:2008)."),),
    ),
    DemoProduct(
        "u-minh", "Phấn hoa tràm U Minh", "U Minh melaleuca bee pollen", "food", "hũ 200g",
        "200 g jar", 150_000,
        "Phấn hoa ong tràm sấy lạnh, dùng trộn sữa chua hoặc ngũ cốc.",
        "Cold-dried melaleuca bee pollen, for yoghurt or cereal.",
        "jar",
        (C("377/QĐ-UBND", 3, 59, age=600),),
    ),
    # --- Cần Thơ -----------------------------------------------------------------------------
    DemoProduct(
        "cai-rang", "Hủ tiếu khô Cái Răng", "Cái Răng dried rice noodles", "food", "gói 500g",
        "500 g pack", 40_000,
        "Sợi hủ tiếu tráng từ gạo Cần Thơ, dai mềm, không chất bảo quản.",
        "Noodles steamed from Cần Thơ rice, chewy and soft, with no preservatives.",
        "pack",
        (C("3010/QĐ-UBND", 4, 79, age=560),),
    ),
    DemoProduct(
        "cai-rang", "Bánh tráng gạo Cái Răng", "Cái Răng rice paper", "food", "gói 500g",
        "500 g pack", 35_000,
        "Bánh tráng phơi nắng trên giàn tre, dùng cuốn gỏi và nướng.",
        "Rice paper sun-dried on bamboo racks, for fresh rolls and grilling.",
        "disc",
        (C("1122/QĐ-UBND", 3, 62, age=760),),
    ),
    DemoProduct(
        "cai-rang", "Bánh tráng nướng mè đen", "Black sesame rice crackers", "food",
        "gói 10 cái", "pack of 10", 30_000,
        "Bánh tráng dày có mè đen và dừa, nướng trên than hồng là phồng giòn.",
        "Thick rice crackers with black sesame and coconut that puff up crisp over embers.",
        "disc",
        # Its certificate ended yesterday: shown honestly, not sold.
        (C("2519/QĐ-UBND", 3, 54, ends_in=-1),),
    ),
    DemoProduct(
        "tranh-gao", "Tranh gạo chợ nổi Cái Răng", "Rice painting: Cái Răng floating market",
        "craft", "bức 30×40cm", "30 × 40 cm painting", 450_000,
        "Cảnh ghe xuồng buôn bán trên chợ nổi, ghép từ hạt gạo rang bảy sắc độ.",
        "Boats trading on the floating market, composed from rice roasted in seven shades.",
        "frame",
        (C("3010/QĐ-UBND", 4, 81, age=560),),
    ),
    DemoProduct(
        "tranh-gao", "Tranh gạo chân dung theo yêu cầu", "Custom rice-grain portrait", "craft",
        "bức 20×30cm", "20 × 30 cm painting", 650_000,
        "Chân dung làm theo ảnh của khách, hoàn thành trong khoảng mười ngày.",
        "A portrait made from the customer's photo, ready in about ten days.",
        "frame",
        (C("978/QĐ-UBND", 3, 65, age=760),),
    ),
    DemoProduct(
        "phong-dien", "Du lịch miệt vườn Phong Điền", "Phong Điền orchard tour", "tourism",
        "khách/ngày", "per guest per day", 250_000,
        "Chèo xuồng, tát mương bắt cá và ăn trái cây tại vườn; đón khách tại bến Ninh Kiều, "
        "gọi 0292 3942 030.",
        "Paddle a canoe, bail a ditch for fish and eat fruit in the orchard; pick-up at Ninh "
        "Kiều pier, call 0292 3942 030.",
        "boat",
        (C("3010/QĐ-UBND", 4, 72, age=560),),
    ),
    DemoProduct(
        "phong-dien", "Dâu Hạ Châu sấy dẻo", "Soft-dried Hạ Châu baccaurea", "food", "hộp 200g",
        "200 g box", 85_000,
        "Trái dâu Hạ Châu chín vàng sấy dẻo, chua ngọt đặc trưng miệt vườn.",
        "Ripe golden Hạ Châu baccaurea fruit, soft-dried, sweet and sour like the orchards.",
        "fruit",
        (C("1430/QĐ-UBND", 3, 61, age=760),),
    ),
    DemoProduct(
        "phong-dien", "Mai chiếu thủy bonsai Phong Điền", "Phong Điền water-jasmine bonsai",
        "ornamental", "chậu", "pot", 1_200_000,
        "Cây mai chiếu thủy uốn dáng trong chậu men, hoa trắng thơm; giao tận nơi trong Cần Thơ.",
        "A shaped water-jasmine bonsai in a glazed pot with fragrant white flowers; delivered "
        "within Cần Thơ only.",
        "leaf",
        # Sinh vật cảnh, a group of 148/QĐ-TTg; 3★ from the province since 1489/QĐ-TTg.
        (C("2045/QĐ-UBND", 3, 64, age=120),),
    ),
    DemoProduct(
        "my-xuyen", "Bánh pía sầu riêng trứng muối", "Durian pía cake with salted egg", "food",
        "hộp 4 cái 400g", "box of 4, 400 g", 85_000,
        "Vỏ bánh nhiều lớp mỏng, nhân đậu xanh, sầu riêng và lòng đỏ trứng muối.",
        "Flaky many-layered pastry filled with mung bean, durian and salted egg yolk.",
        "cake",
        (C("1867/QĐ-UBND", 4, 84, age=850),),
        gtin=gtin13("893605620001"),
    ),
    DemoProduct(
        "my-xuyen", "Lạp xưởng tươi Sóc Trăng", "Sóc Trăng fresh Chinese sausage", "food",
        "túi 500g", "500 g bag", 120_000,
        "Lạp xưởng tươi thịt nạc vai, nướng hoặc chiên, ăn kèm dưa chua.",
        "Fresh sausage of pork shoulder, grilled or fried, eaten with pickles.",
        "sticks",
        (C("2290/QĐ-UBND", 3, 64, age=830),),
    ),
    DemoProduct(
        "hoa-tu", "Gạo ST25 lúa tôm Hòa Tú", "Hòa Tú ST25 rice-shrimp rice", "food", "túi 5kg",
        "5 kg bag", 220_000,
        "Gạo ST25 hạt dài, thơm lá dứa, trồng trên ruộng luân canh lúa – tôm.",
        "Long-grain ST25 rice scented of pandan, grown on rice-shrimp rotation fields.",
        "grains",
        (C("4071/QĐ-BNN-KTHT", 5, 94, age=780),),
        gtin=gtin13("893605621001"),
    ),
    DemoProduct(
        "hoa-tu", "Gạo lứt ST25", "ST25 brown rice", "food", "túi 2kg", "2 kg bag", 95_000,
        "Gạo lứt giữ nguyên cám, dẻo hơn gạo lứt thường, hợp ăn kiêng.",
        "Whole-grain brown rice, softer than ordinary brown rice, good for a light diet.",
        "grains",
        (C("1088/QĐ-UBND", 4, 80, age=560),),
    ),
    DemoProduct(
        "cau-duc", "Khóm Cầu Đúc sấy dẻo", "Soft-dried Cầu Đúc pineapple", "food", "túi 250g",
        "250 g bag", 65_000,
        "Khóm Cầu Đúc thái lát sấy dẻo, ít đường, giữ vị chua ngọt tự nhiên.",
        "Sliced Cầu Đúc pineapple, soft-dried with little sugar, keeping its natural tang.",
        "fruit",
        (C("2150/QĐ-UBND", 4, 78, age=940),),
        gtin=gtin13("893605622001"),
    ),
    DemoProduct(
        "cau-duc", "Nước ép khóm Cầu Đúc", "Cầu Đúc pineapple juice", "beverage", "chai 330ml",
        "330 ml bottle", 18_000,
        "Nước ép khóm nguyên chất, không thêm đường.",
        "Pure pineapple juice with no added sugar.",
        "bottle",
        (C("1675/QĐ-UBND", 3, 57, age=830),),
    ),
    DemoProduct(
        "vi-thuy", "Túi xách lục bình", "Water-hyacinth handbag", "craft", "chiếc", "piece",
        190_000,
        "Túi đan từ thân lục bình phơi khô, lót vải, nhẹ và bền.",
        "A bag woven from dried water-hyacinth stems, cloth-lined, light and durable.",
        "basket",
        # Its certificate ends today: valid all day, gone tomorrow.
        (C("3158/QĐ-UBND", 3, 55, ends_in=0),),
    ),
    DemoProduct(
        "vi-thuy", "Giỏ lục bình đựng đồ", "Water-hyacinth storage basket", "craft", "chiếc",
        "piece", 150_000,
        "Giỏ tròn có nắp, đựng đồ chơi, quần áo hoặc làm chậu cây.",
        "A round lidded basket for toys, clothes or a plant pot.",
        "basket",
        (C("1432/QĐ-UBND", 3, 60, age=830),),
    ),
)

DEMO_USERS = (
    # (email, role, producer key, name)
    ("admin@ocop.local", "admin", None, "Văn phòng Điều phối OCOP"),
    ("organizer@ocop.local", "organizer", None, "Ban tổ chức Tuần lễ OCOP"),
    ("customer@ocop.local", "customer", None, "Emily Parker"),
    ("htx-bac-ha@ocop.local", "producer", "bac-ha", "Anh Tuấn (HTX Nông nghiệp Bắc Hà)"),
    ("nuoc-mam-phu-quoc@ocop.local", "producer", "pq-fish-sauce", "Chị Ngọc (Hưng Thịnh)"),
    ("ruou-kim-son@ocop.local", "producer", "kim-son", "Anh Hùng (HTX Rượu Kim Sơn)"),
    ("sam-ngoc-linh@ocop.local", "producer", "ngoc-linh", "Anh A Blong (HTX Sâm Ngọc Linh)"),
    ("tranh-gao@ocop.local", "producer", "tranh-gao", "Cô Thảo (Tranh gạo Ninh Kiều)"),
)


# --- Issuers and levels, as on real decisions -------------------------------------------------

def level_and_issuer(stars: int, issued_on: date, producer: DemoProducer) -> tuple[str, str]:
    """Who recognised a certificate of that many stars on that date (DOMAIN §2)."""
    if stars == 5:
        ministry = MINISTRY_BEFORE if issued_on < MINISTRY_RENAMED_FROM else MINISTRY_AFTER
        return "central", ministry
    if stars == 4:
        council = (producer.old_province if producer.old_province and issued_on < TWO_TIER_FROM
                   else PROVINCE_COUNCIL[producer.province_code])
        return "province", f"UBND {council}"
    if issued_on < TWO_TIER_FROM:
        return "district", f"UBND {producer.old_district}"
    # Since 1489/QĐ-TTg (06/7/2025) 3★ comes from the province; communes issue no certificate.
    return "province", f"UBND {PROVINCE_COUNCIL[producer.province_code]}"


# --- Seeding --------------------------------------------------------------------------------

def _ensure_producer(session: Session, spec: DemoProducer) -> Producer:
    producer = session.scalar(select(Producer).where(Producer.tax_code == spec.tax_code))
    if producer is not None:
        return producer
    return services.create_producer(
        session, name=spec.name, kind=spec.kind, tax_code=spec.tax_code,
        province_code=spec.province_code, ward_code=spec.ward_code, address=spec.address,
        name_en=spec.name_en, historical_origin=spec.historical_origin,
        craft_village=spec.craft_village, phone=spec.phone, email=spec.email,
        description=spec.description, description_en=spec.description_en, active=spec.active,
    )


def _ensure_product(session: Session, producer: Producer, spec: DemoProduct) -> Product:
    product = session.scalar(select(Product).where(Product.producer_id == producer.id,
                                                   Product.name == spec.name))
    if product is not None:
        return product
    product = services.create_product(
        session, producer, name=spec.name, name_en=spec.name_en, group=spec.group,
        description=spec.description, description_en=spec.description_en, unit=spec.unit,
        unit_en=spec.unit_en, price_vnd=spec.price_vnd, published=spec.published,
        gtin=spec.gtin,
    )
    product.photos.append(ProductPhoto(
        path=spec.photo, width=PHOTO_SIZE[0], height=PHOTO_SIZE[1],
        alt=f"Ảnh minh hoạ: {spec.name}",
    ))
    session.flush()
    return product


def _ensure_certificate(session: Session, product: Product, producer: DemoProducer,
                        spec: DemoCertificate, on: date) -> None:
    exists = session.scalar(select(Certificate.id).where(
        Certificate.product_id == product.id,
        Certificate.decision_number == spec.decision_number))
    if exists is not None:
        return
    issued_on, valid_until = spec.dates(on)
    level, issuer = level_and_issuer(spec.stars, issued_on, producer)
    cert = services.create_certificate(
        session, product, stars=spec.stars, score=spec.score, level=level,
        decision_number=spec.decision_number, issuer=issuer, issued_on=issued_on,
        valid_until=valid_until,
    )
    if spec.revoked_days_ago is not None:
        services.revoke_certificate(session, cert, reason=spec.revoke_reason or "",
                                    revoked_on=on - timedelta(days=spec.revoked_days_ago))


def _ensure_users(session: Session, producers: dict[str, Producer]) -> None:
    from app.accounts.models import User
    from app.accounts.services import create_user

    for email, role, producer_key, name in DEMO_USERS:
        if session.scalar(select(User.id).where(User.email == email)) is not None:
            continue
        create_user(session, email=email, password=DEMO_PASSWORD, role=role, name=name,
                    producer_tax_code=producers[producer_key].tax_code if producer_key else None)


def seed(session: Session) -> None:
    """Idempotent: running it twice changes nothing."""
    on = today()
    specs = {spec.key: spec for spec in PRODUCERS}
    producers = {key: _ensure_producer(session, spec) for key, spec in specs.items()}
    for spec in PRODUCTS:
        product = _ensure_product(session, producers[spec.producer], spec)
        for cert in spec.certificates:
            _ensure_certificate(session, product, specs[spec.producer], cert, on)
    _ensure_users(session, producers)
    session.flush()
