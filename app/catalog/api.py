from flask import send_file

from app.catalog import services
from app.catalog.models import Product
from app.catalog.schemas import (
    CategoryCreateSchema,
    CategoryListSchema,
    CategorySchema,
    CategoryUpdateSchema,
    ImageArgsSchema,
    ProductListArgsSchema,
    ProductSchema,
    ProductWriteSchema,
    product_update_schema,
)
from app.core.api_docs import ApiBlueprint
from app.core.content import accepts, uploaded_bytes
from app.core.pagination import apply_sort, changed_since, paginate
from app.core.pictures import PICTURE_TYPES
from app.core.schemas import page_of
from app.core.security import requires

blp = ApiBlueprint("catalog", __name__, url_prefix="/api/v1", description="Categories and products")


@blp.route("/categories")
@requires("catalog:read")
@blp.response(200, CategoryListSchema)
@blp.documents_errors(401, 403)
def list_categories():
    """The category tree."""
    return {"items": services.category_tree()}


@blp.route("/categories", methods=["POST"])
@requires("catalog:write")
@blp.arguments(CategoryCreateSchema)
@blp.response(201, CategorySchema)
@blp.documents_errors(401, 403, 409)
def create_category(args):
    """Create a category, at the top or under `parent_id`; names are unique among siblings."""
    return services.create_category(args["name"], args["parent_id"], args["sort_order"])


@blp.route("/categories/<int:category_id>", methods=["PATCH"])
@requires("catalog:write")
@blp.arguments(CategoryUpdateSchema)
@blp.response(200, CategorySchema)
@blp.documents_errors(401, 403, 404, 409)
def update_category(changes, category_id):
    """Rename, move (not under itself) or reorder; `version` must match."""
    return services.update_category(category_id, changes)


@blp.route("/categories/<int:category_id>", methods=["DELETE"])
@requires("catalog:write")
@blp.response(204)
@blp.documents_errors(401, 403, 404, 409)
def delete_category(category_id):
    """Delete an empty category (no sub-categories, no products)."""
    services.delete_category(category_id)


@blp.route("/products")
@requires("catalog:read")
@blp.arguments(ProductListArgsSchema, location="query")
@blp.response(200, page_of(ProductSchema))
@blp.documents_errors(401, 403)
def list_products(args):
    """Search by name, SKU, spec, brand, pinyin initials (kkl → 可口可乐) or barcode."""
    stmt = services.product_query(
        args.get("q"), args.get("category_id"), args.get("brand"), args.get("active")
    )
    stmt, default_sort = changed_since(stmt, Product, args, "sku")
    stmt = apply_sort(
        stmt,
        args.get("sort"),
        {
            "sku": Product.sku,
            "name": Product.name,
            "updated_at": Product.updated_at,
            "id": Product.id,
        },
        default_sort,
    )
    return paginate(stmt, args["page"], args["per_page"])


@blp.route("/products", methods=["POST"])
@requires("catalog:write")
@blp.arguments(ProductWriteSchema)
@blp.response(201, ProductSchema)
@blp.documents_errors(401, 403, 409)
def create_product(args):
    """Create a product with its units, barcodes, prices and stock settings."""
    return services.create_product(args)


@blp.route("/products/<int:product_id>")
@requires("catalog:read")
@blp.response(200, ProductSchema)
@blp.documents_errors(401, 403, 404)
def get_product(product_id):
    """One product; cost fields only for callers with cost:read."""
    return services.get_product(product_id)


@blp.route("/products/<int:product_id>", methods=["PATCH"])
@requires("catalog:write")
@blp.arguments(product_update_schema)
@blp.response(200, ProductSchema)
@blp.documents_errors(401, 403, 404, 409)
def update_product(changes, product_id):
    """Change what is sent; lists (barcodes, units, prices) are replaced whole."""
    return services.update_product(product_id, changes)


@blp.route("/products/<int:product_id>", methods=["DELETE"])
@requires("catalog:write")
@blp.response(204)
@blp.documents_errors(401, 403, 404)
def archive_product(product_id):
    """Archive the product (it stays on old documents and can be reactivated)."""
    services.archive_product(product_id)


@blp.route("/products/<int:product_id>/image", methods=["PUT"])
@requires("catalog:write")
@accepts("multipart/form-data", *PICTURE_TYPES)
@blp.response(200, ProductSchema)
@blp.documents_errors(401, 403, 404, 413, 415, 422)
def upload_product_image(product_id):
    """Set the picture: multipart field `image`, or the image itself as the body."""
    return services.set_product_image(product_id, uploaded_bytes("image"))


@blp.route("/products/<int:product_id>/image", methods=["DELETE"])
@requires("catalog:write")
@blp.response(204)
@blp.documents_errors(401, 403, 404)
def remove_product_image(product_id):
    """Remove the picture."""
    services.remove_product_image(product_id)


@blp.route("/products/<int:product_id>/image")
@requires("catalog:read")
@blp.arguments(ImageArgsSchema, location="query")
@blp.alt_response(200, description="The JPEG picture", content_type="image/jpeg", success=True)
@blp.documents_errors(401, 403, 404)
def get_product_image(args, product_id):
    """The picture as JPEG (`size=thumb` for 320 px); cacheable for good with `v`."""
    path = services.product_image_file(product_id, args["size"])
    response = send_file(path, mimetype="image/jpeg")
    # With `v` the URL names the picture's content, so a browser may keep it for good.
    cache = "private, max-age=31536000, immutable" if args.get("v") else "no-cache"
    response.headers["Cache-Control"] = cache
    return response
