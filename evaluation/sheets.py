"""Score sheets as data (DOMAIN §11): the office imports the official sheets from CSV.

Columns `sheet,part,criterion,level,points,mandatory`, one row per level of a criterion; a
criterion's maximum is its highest level; `mandatory` is `yes`/`no`. The whole file is
checked first: any bad line refuses the whole file, every problem reported as `line N:
reason` (the header is line 1). Each sheet's parts must reach A 40, B 25, C 35.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.errors import InvalidInput
from evaluation.models import PART_MAXIMA, PARTS, Criterion, CriterionLevel, ScoreSheet

COLUMNS = ("sheet", "part", "criterion", "level", "points", "mandatory")
MAX_ROWS = 5000


@dataclass
class _Criterion:
    line: int
    part: str
    mandatory: bool
    levels: list[tuple[str, int, int]] = field(default_factory=list)  # (label, points, line)

    @property
    def max_points(self) -> int:
        return max(points for _, points, _ in self.levels)


@dataclass
class ParsedSheet:
    name: str
    line: int
    criteria: dict[str, _Criterion] = field(default_factory=dict)

    def part_total(self, part: str) -> int:
        return sum(c.max_points for c in self.criteria.values() if c.part == part)


class SheetImportError(InvalidInput):
    code = "invalid_sheet"

    def __init__(self, errors: list[str]):
        super().__init__(
            "The score-sheet file was refused, nothing was imported: " + "; ".join(errors),
            details={"lines": errors},
        )
        self.errors = errors


def parse_sheets(text: str) -> tuple[dict[str, ParsedSheet], list[str]]:
    """Parse every line; returns the sheets and the `line N: reason` problems."""
    errors: list[str] = []
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        return {}, ["line 1: the file is empty; expected the header " + ",".join(COLUMNS)]
    names = [h.strip().lower() for h in header]
    if names != list(COLUMNS):
        return {}, ["line 1: the header must be exactly " + ",".join(COLUMNS)]
    sheets: dict[str, ParsedSheet] = {}
    for record in reader:
        line = reader.line_num
        if not any(v.strip() for v in record):
            continue
        if line > MAX_ROWS:
            errors.append(f"line {line}: too many rows (at most {MAX_ROWS})")
            break
        if len(record) != len(COLUMNS):
            errors.append(f"line {line}: expected {len(COLUMNS)} columns, found {len(record)}")
            continue
        sheet, part, criterion, label, points_text, mandatory_text = (v.strip() for v in record)
        reasons = []
        if not sheet:
            reasons.append("sheet is empty")
        if len(sheet) > 120:
            reasons.append("sheet name is longer than 120 characters")
        part = part.upper()
        if part not in PARTS:
            reasons.append(f"part must be A, B or C, not {part!r}")
        if not criterion or len(criterion) > 200:
            reasons.append("criterion must be 1–200 characters")
        if not label or len(label) > 300:
            reasons.append("level must be 1–300 characters")
        try:
            points = int(points_text)
            if points < 0 or points > 100:
                reasons.append(f"points must be 0–100, not {points}")
        except ValueError:
            points = 0
            reasons.append(f"points must be a whole number, not {points_text!r}")
        if mandatory_text.lower() not in ("yes", "no"):
            reasons.append(f"mandatory must be yes or no, not {mandatory_text!r}")
        mandatory = mandatory_text.lower() == "yes"
        if reasons:
            errors.append(f"line {line}: " + "; ".join(reasons))
            continue
        parsed = sheets.setdefault(sheet, ParsedSheet(name=sheet, line=line))
        known = parsed.criteria.get(criterion)
        if known is None:
            known = parsed.criteria[criterion] = _Criterion(line=line, part=part, mandatory=mandatory)
        elif known.part != part:
            errors.append(
                f"line {line}: criterion {criterion!r} is in part {known.part} on line "
                f"{known.line}, not {part}"
            )
            continue
        elif known.mandatory != mandatory:
            errors.append(
                f"line {line}: criterion {criterion!r} is "
                f"{'mandatory' if known.mandatory else 'not mandatory'} on line {known.line}"
            )
            continue
        if any(p == points for _, p, _ in known.levels):
            errors.append(f"line {line}: criterion {criterion!r} already has a level worth {points} points")
            continue
        known.levels.append((label, points, line))
    for sheet in sheets.values():
        for part in PARTS:
            total = sheet.part_total(part)
            if total != PART_MAXIMA[part]:
                rows = [c.line for c in sheet.criteria.values() if c.part == part]
                line = min(rows) if rows else sheet.line
                errors.append(
                    f"line {line}: sheet {sheet.name!r} part {part} reaches {total} points, "
                    f"not {PART_MAXIMA[part]} (a criterion counts its highest level)"
                )
    if not sheets and not errors:
        errors.append("line 2: the file has no rows")
    return sheets, sorted(errors, key=lambda e: int(e.split(":")[0].removeprefix("line ")))


def import_sheets(session: Session, text: str, *, sample: bool = False) -> list[ScoreSheet]:
    """All or nothing: raises SheetImportError (422) listing every bad line."""
    parsed, errors = parse_sheets(text)
    for sheet in parsed.values():
        if session.scalar(select(ScoreSheet.id).where(ScoreSheet.name == sheet.name)):
            errors.append(f"line {sheet.line}: a sheet named {sheet.name!r} already exists")
    if errors:
        raise SheetImportError(errors)
    created = []
    for sheet in parsed.values():
        row = ScoreSheet(name=sheet.name, sample=sample)
        for position, (code, crit) in enumerate(sheet.criteria.items()):
            row.criteria.append(
                Criterion(
                    part=crit.part,
                    code=code,
                    position=position,
                    mandatory=crit.mandatory,
                    max_points=crit.max_points,
                    levels=[CriterionLevel(label=label, points=points) for label, points, _ in crit.levels],
                )
            )
        session.add(row)
        created.append(row)
    session.flush()
    return created


def import_sheets_bytes(session: Session, data: bytes, *, sample: bool = False) -> list[ScoreSheet]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise SheetImportError(
            [f"line {line}: the file is not UTF-8 text (save it as 'CSV UTF-8')"]
        ) from None
    return import_sheets(session, text, sample=sample)
