from flask import Response

from app.core.api_docs import ApiBlueprint
from app.core.content import accepts, uploaded_bytes
from app.core.idempotency import changes_nothing
from app.core.pictures import PICTURE_TYPES
from app.core.security import requires
from app.scanning import labels, services
from app.scanning.schemas import (
    DecodeResultSchema,
    LabelArgsSchema,
    ResolveArgsSchema,
    ResolvedSchema,
)

blp = ApiBlueprint("scanning", __name__, url_prefix="/api/v1", description="Barcode scanning")


@blp.route("/scan/decode", methods=["POST"])
@changes_nothing
@requires("catalog:read")
@accepts("multipart/form-data", *PICTURE_TYPES)
@blp.response(200, DecodeResultSchema)
@blp.documents_errors(401, 403, 413, 415, 422)
def decode():
    """Barcodes in a picture (multipart `image`, or the image as the body); none → []."""
    return {"codes": services.decode_picture(uploaded_bytes("image"))}


@blp.route("/scan/resolve")
@requires("catalog:read")
@blp.arguments(ResolveArgsSchema, location="query")
@blp.response(200, ResolvedSchema)
@blp.documents_errors(401, 403, 422)
def resolve(args):
    """What a code is: a product (any barcode or SKU), a case of it, a location, a GS1 label."""
    return services.resolve(args["code"])


PDF = "application/pdf"
PDF_BODY = {"type": "string", "format": "binary"}


def _pdf(kind: str, found: list, args: dict) -> Response:
    body = labels.render(
        found, args["layout"], copies=args["copies"], title=f"{kind.capitalize()} labels"
    )
    response = Response(body, mimetype=PDF)
    response.headers["Content-Disposition"] = f'inline; filename="{kind}-labels.pdf"'
    return response


def _labels_doc(func):
    returns_pdf = blp.alt_response(
        200, description="The labels", content_type=PDF, schema=PDF_BODY, success=True
    )
    return returns_pdf(blp.documents_errors(401, 403, 404, 422)(func))


@blp.route("/labels/products.pdf")
@requires("catalog:read")
@blp.arguments(LabelArgsSchema, location="query")
@_labels_doc
def product_labels(args):
    """Product labels: EAN-13 of the product's own barcode, else Code 128 of the SKU."""
    found = services.product_labels(args["ids"], price=args["price"])
    return _pdf("products", found, args)


@blp.route("/labels/locations.pdf")
@requires("warehouses:read")
@blp.arguments(LabelArgsSchema, location="query")
@_labels_doc
def location_labels(args):
    """Location labels: Code 128 and QR of WAREHOUSE/LOCATION, as /scan/resolve reads it."""
    return _pdf("locations", services.location_labels(args["ids"]), args)


@blp.route("/labels/batches.pdf")
@requires("inventory:read")
@blp.arguments(LabelArgsSchema, location="query")
@_labels_doc
def batch_labels(args):
    """Batch labels: GS1-128 of (01) GTIN, (17) expiry, (10) lot; without a GTIN, the SKU."""
    return _pdf("batches", services.batch_labels(args["ids"]), args)
