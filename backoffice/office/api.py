"""The office's JSON API (CONTRACT §4, admin): producers, corrections, the audit log, the
periodic reports, consumers' reports and suspicious stamps, the certificate export."""

from __future__ import annotations

from flask import Response, current_app

from app import audit
from app.api import api_blueprint, api_route, current_api_user
from app.errors import InvalidInput, NotFound
from app.extensions import db
from backoffice.office import reports
from backoffice.office.schemas import (
    AuditQuery,
    CorrectionIn,
    ExportQuery,
    ProducerListQuery,
    ProducerPatch,
    ReportQuery,
    TargetIn,
    TraceReportPatch,
    TraceReportsQuery,
)
from catalog import services
from catalog.exporter import export_csv
from catalog.models import Certificate

bp = api_blueprint("office_api", __name__)


def producer_json(producer) -> dict:
    return {"slug": producer.slug, "name": producer.name, "kind": producer.kind,
            "tax_code": producer.tax_code, "province_code": producer.province_code,
            "ward_code": producer.ward_code, "address": producer.address,
            "email": producer.email, "phone": producer.phone, "active": producer.active,
            "deactivated_at": producer.deactivated_at.isoformat() if producer.deactivated_at else None,
            "deactivation_reason": producer.deactivation_reason}


@api_route(bp, "/admin/producers", query=ProducerListQuery, auth="admin", tags=["admin"],
           summary="Producers, with search and filters (province, kind, active, ending soon)")
def list_producers(query: ProducerListQuery):
    from sqlalchemy import func, select

    from backoffice.office.queries import producer_query
    from catalog.models import Producer

    found = producer_query(q=(query.q or "").strip(), province=query.province, kind=query.kind,
                           active=query.active, ending=query.ending)
    total = db.session.scalar(select(func.count()).select_from(found.subquery())) or 0
    rows = db.session.scalars(found.order_by(Producer.name).limit(query.per_page)
                              .offset((query.page - 1) * query.per_page)).all()
    return {"items": [producer_json(p) for p in rows], "total": total, "page": query.page}


@api_route(bp, "/admin/producers/<slug>", methods=["PATCH"], body=ProducerPatch, auth="admin",
           tags=["admin"], summary="Change a producer; `active: false` takes all its products "
           "out of sale (producer_inactive)", responses={404: "Unknown producer"})
def patch_producer(slug: str, body: ProducerPatch):
    producer = services.get_producer(db.session, slug)
    changes = body.model_dump(exclude_unset=True)
    active, reason = changes.pop("active", None), changes.pop("reason", None)
    if changes:
        services.update_producer(db.session, producer, **changes)
    changed = False
    if active is not None:
        changed = services.set_producer_active(db.session, producer, active=active, reason=reason or "")
    elif reason is not None:
        raise InvalidInput("`reason` goes with `active`.", code="invalid_input")
    db.session.commit()
    if changed:
        services.producer_activity_mail(producer, active=active, reason=reason)
    return producer_json(producer)


@api_route(bp, "/admin/certificates/<int:cert_id>/corrections", methods=["POST"], body=CorrectionIn,
           auth="admin", status=201, tags=["admin"],
           summary="Correct a mistyped certificate (old → new values are recorded)",
           responses={404: "Unknown certificate"})
def correct_certificate(cert_id: int, body: CorrectionIn):
    cert = db.session.get(Certificate, cert_id)
    if cert is None:
        raise NotFound(f"No certificate {cert_id}.")
    values = body.model_dump(exclude_none=True)
    correction = services.correct_certificate(db.session, cert, corrected_by=current_api_user(),
                                              **values)
    return {"id": correction.id, "certificate": cert.id, "before": correction.before,
            "after": correction.after}, 201


@api_route(bp, "/admin/certificates/export", query=ExportQuery, auth="admin", tags=["admin"],
           summary="The certificates as the import CSV (export then import changes nothing)",
           produces={"text/csv": {"type": "string"}})
def export_certificates(query: ExportQuery):
    return Response(export_csv(db.session, province_code=query.province), mimetype="text/csv",
                    headers={"Content-Disposition": "attachment; filename=ocop-certificates.csv"})


@api_route(bp, "/admin/audit", query=AuditQuery, auth="admin", tags=["admin"],
           summary="The audit log, newest first (who, when, what, before → after)")
def audit_log(query: AuditQuery):
    filters = audit.AuditFilter(actor=query.actor, object_type=query.object_type,
                                object_id=query.object_id, action=query.action,
                                since=query.since, until=query.until)
    entries, total = audit.find_entries(db.session, filters, page=query.page,
                                        per_page=query.per_page)
    return {"items": [audit.entry_json(e) for e in entries], "total": total, "page": query.page}


@api_route(bp, "/admin/reports/<name>", query=ReportQuery, auth="admin", tags=["admin"],
           summary="A periodic report: products, sales, scans, expiries, targets (?format=csv)",
           responses={404: "Unknown report"},
           produces={"application/json": None, "text/csv": {"type": "string"}})
def report(name: str, query: ReportQuery):
    result = reports.build(db.session, name, year=query.year, by_ward=query.by == "ward")
    if query.format == "csv":
        return Response(result.csv(), mimetype="text/csv",
                        headers={"Content-Disposition": f"attachment; filename=ocop-{name}.csv"})
    return result.json()


@api_route(bp, "/admin/targets", methods=["PUT"], body=TargetIn, auth="admin", tags=["admin"],
           summary="Set a province's yearly targets")
def put_target(body: TargetIn):
    target = reports.set_target(db.session, **body.model_dump())
    return {"year": target.year, "province_code": target.province_code,
            "new_products": target.new_products, "four_star": target.four_star,
            "five_star": target.five_star}


@api_route(bp, "/admin/trace-reports", query=TraceReportsQuery, auth="admin", tags=["admin"],
           summary="Consumers' counterfeit reports (open ones unless a status is asked)")
def trace_reports(query: TraceReportsQuery):
    from traceability import supervision

    rows, total = supervision.list_reports(db.session, status=query.status, page=query.page)
    return {"items": [supervision.report_json(r) for r in rows], "total": total,
            "page": query.page}


@api_route(bp, "/admin/trace-reports/<int:report_id>", methods=["PATCH"], body=TraceReportPatch,
           auth="admin", tags=["admin"], summary="Move a report on (in_progress, closed), add a note",
           responses={404: "Unknown report", 409: "Not a forward move"})
def patch_trace_report(report_id: int, body: TraceReportPatch):
    from traceability import supervision

    report = supervision.get_report(db.session, report_id)
    supervision.update_report(db.session, report, officer=current_api_user(), status=body.status,
                              note=body.note)
    db.session.flush()
    db.session.refresh(report)
    return supervision.report_json(report)


@api_route(bp, "/admin/stamps/suspicious", auth="admin", tags=["admin"],
           summary="Stamps scanned from more distinct networks (IPv4 /24, IPv6 /48) than the "
                   "threshold, with why (networks, days, provinces, first/last scan), and void "
                   "stamps still scanned")
def suspicious_stamps():
    from traceability import supervision

    threshold = current_app.config["SUSPICIOUS_SCAN_CLIENTS"]
    return {"threshold": threshold,
            "items": [supervision.watch_json(w, threshold) for w in
                      supervision.suspicious_stamps(db.session, threshold=threshold)],
            "void_still_scanned": [supervision.watch_json(w) for w in
                                   supervision.void_stamps_still_scanned(db.session)]}
