from app.core.api_docs import ApiBlueprint
from app.core.content import accepts, uploaded_bytes
from app.core.pictures import PICTURE_TYPES
from app.core.security import requires
from app.scanning import services
from app.scanning.schemas import DecodeResultSchema, ResolveArgsSchema, ResolvedSchema

blp = ApiBlueprint("scanning", __name__, url_prefix="/api/v1", description="Barcode scanning")


@blp.route("/scan/decode", methods=["POST"])
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
