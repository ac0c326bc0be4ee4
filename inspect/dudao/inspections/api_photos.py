"""The API's photo endpoints: upload for an item, and the file (same blueprint as api.py)."""

from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request, send_file
from flask_babel import gettext as _
from flask_login import current_user

from dudao.core.permissions import Permission
from dudao.inspections import photos as photo_service
from dudao.inspections import submissions as sub_service
from dudao.inspections.api import PREFIX, _inspection, bp
from dudao.inspections.api_support import ApiError, api_requires, api_signed_in, iso, may_see
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Photo
from dudao.web.context import db, runtime


@bp.post("/inspections/<int:inspection_id>/photos")
@api_requires(Permission.INSPECT)
def upload_photo(inspection_id: int) -> Response:
    inspection = _inspection(inspection_id, write=True)
    sub_service.check_open_for(current_user, inspection)
    return stored_upload(inspection, request.form.get("item_key", ""))


def stored_upload(inspection: Inspection, item_key: str) -> Response:
    """The request's photo (multipart 'file') stored for an item, once the caller has checked
    who may add it: 201, or 200 when the same photo was already there."""
    upload = request.files.get("file")
    if upload is None:
        missing = _("Send the photo as the multipart field 'file'.")
        raise ApiError(400, "bad_request", missing, {"file": missing})
    settings = runtime().settings
    photo, created = photo_service.store_photo(
        db(), current_user, inspection, item_key, upload.read(), settings.data_dir, settings.tz
    )
    db().commit()
    response = jsonify(photo_body(photo))
    response.status_code = 201 if created else 200
    return response


@bp.get("/photos/<photo_id>")
@api_signed_in
def photo_file(photo_id: str) -> Response:
    photo = db().get(Photo, photo_id)
    inspection = db().get(Inspection, photo.inspection_id) if photo else None
    if inspection is None or not (may_see(current_user, inspection)):
        raise ApiError(404, "not_found", _("No such photo."))
    response = send_file(
        photo_service.photo_file(runtime().settings.data_dir, photo), mimetype="image/jpeg",
        etag=photo.sha256, max_age=86400, conditional=True,
    )  # fmt: skip
    response.cache_control.public = False  # send_file marks it public: one or the other
    response.cache_control.private = True
    return response


def photo_body(photo: Photo) -> dict[str, Any]:
    return {
        "id": photo.id, "inspection_id": photo.inspection_id, "item_key": photo.item_key,
        "width": photo.width, "height": photo.height, "size": photo.size, "sha256": photo.sha256,
        "captured_at": iso(photo.captured_at),
        "location": None if photo.latitude is None else {"lat": photo.latitude,
                                                        "lon": photo.longitude},
        "url": f"{PREFIX}photos/{photo.id}",
    }  # fmt: skip
