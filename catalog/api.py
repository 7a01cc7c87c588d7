"""Catalog JSON API: public products, admin producers/certificates, seller products."""

from __future__ import annotations

from sqlalchemy.orm import selectinload

from app.api import api_blueprint, api_route, current_api_user
from app.clock import today
from app.errors import NotFound
from app.extensions import db
from catalog import listing, services
from catalog.gate import listability
from catalog.models import Certificate, Product
from catalog.schemas import (
    CertificateIn,
    ProducerIn,
    ProductIn,
    ProductListQuery,
    ProductPatch,
    RevokeIn,
)
from catalog.serializers import certificate_json, product_detail, product_summary
from showrooms.services import online_availability

bp = api_blueprint("catalog_api", __name__)


@api_route(bp, "/products", query=ProductListQuery, tags=["products"],
           summary="List listable products (certificate valid today)")
def list_products(query: ProductListQuery):
    on = today()
    page = listing.browse(db.session, on=on, q=query.q, stars=query.stars, group=query.group,
                          province=query.province, page=query.page, per_page=query.per_page)
    stock = online_availability(db.session, [p.id for p, _ in page.items])
    return {
        "items": [product_summary(p, c, stock.get(p.id, 0) > 0) for p, c in page.items],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
    }


@api_route(bp, "/products/<slug>", tags=["products"], responses={404: "Unknown product"},
           summary="One product, with `listable` and, when not listable, the `reason`")
def get_product(slug: str):
    on = today()
    product = services.get_product(db.session, slug)
    stock = online_availability(db.session, [product.id])
    return product_detail(product, listability(product, on), stock.get(product.id, 0) > 0, on)


# --- Admin: the OCOP office ---------------------------------------------------------------

@api_route(bp, "/admin/producers", methods=["POST"], body=ProducerIn, auth="admin",
           status=201, tags=["admin"], summary="Register a producer",
           responses={409: "Tax code already registered"})
def create_producer(body: ProducerIn):
    producer = services.create_producer(db.session, **body.model_dump(exclude_none=True))
    return {"slug": producer.slug}, 201


@api_route(bp, "/admin/certificates", methods=["POST"], body=CertificateIn, auth="admin",
           status=201, tags=["admin"], summary="Record a recognition certificate",
           responses={404: "Unknown product", 409: "Decision already recorded"})
def create_certificate(body: CertificateIn):
    product = services.get_product(db.session, body.product)
    cert = services.create_certificate(db.session, product, **body.model_dump(exclude={"product"}))
    return {"id": cert.id, "valid_until": cert.valid_until.isoformat()}, 201


@api_route(bp, "/admin/certificates/<int:cert_id>/revoke", methods=["POST"], body=RevokeIn,
           auth="admin", tags=["admin"], summary="Revoke a certificate",
           responses={404: "Unknown certificate", 409: "Already revoked"})
def revoke_certificate(cert_id: int, body: RevokeIn):
    cert = db.session.get(Certificate, cert_id)
    if cert is None:
        raise NotFound(f"No certificate {cert_id}.")
    services.revoke_certificate(db.session, cert, reason=body.reason, revoked_on=body.revoked_on)
    return certificate_json(cert)


# --- Seller: a producer's own products ----------------------------------------------------

def _own_producer():
    return current_api_user().producer


@api_route(bp, "/seller/products", auth="producer", tags=["seller"],
           summary="The producer's own products, with their listability")
def seller_products():
    producer = _own_producer()
    on = today()
    products = db.session.scalars(
        db.select(Product).where(Product.producer_id == producer.id)
        .options(selectinload(Product.certificates), selectinload(Product.photos))
        .order_by(Product.name)
    ).all()
    stock = online_availability(db.session, [p.id for p in products])
    return {"items": [product_detail(p, listability(p, on), stock.get(p.id, 0) > 0, on)
                      for p in products]}


@api_route(bp, "/seller/products", methods=["POST"], body=ProductIn, auth="producer",
           status=201, tags=["seller"], summary="Create a product",
           responses={409: "Name or GTIN already used"})
def seller_create_product(body: ProductIn):
    product = services.create_product(db.session, _own_producer(), **body.model_dump(exclude_none=True))
    return {"slug": product.slug}, 201


@api_route(bp, "/seller/products/<slug>", methods=["PATCH"], body=ProductPatch, auth="producer",
           tags=["seller"], summary="Change a product (price, publication, texts)",
           responses={404: "Not one of your products"})
def seller_update_product(slug: str, body: ProductPatch):
    product = services.get_product(db.session, slug, producer=_own_producer())
    changes = body.model_dump(exclude_unset=True)
    services.update_product(db.session, product, **changes)
    on = today()
    in_stock = online_availability(db.session, [product.id]).get(product.id, 0) > 0
    return product_detail(product, listability(product, on), in_stock, on)


