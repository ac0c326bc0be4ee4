"""Photo evidence: real images only, size caps, re-encoding, EXIF stripped, served in scope."""

from __future__ import annotations

import io
from zoneinfo import ZoneInfo

import pytest
from PIL import ExifTags, Image

from dudao.inspections import photos as photo_service
from dudao.inspections.photos import PhotoRejected, reencode
from dudao.inspections.submission_models import Photo
from tests.conftest import sign_in
from tests.inspection_world import jpeg, world  # noqa: F401

TZ = ZoneInfo("Asia/Shanghai")


def _exif(orientation: int | None = None, gps: bool = True) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Serial-12345"
    if orientation:
        exif[ExifTags.Base.Orientation] = orientation
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = "2026:11:20 10:11:12"
    if gps:
        info = exif.get_ifd(ExifTags.IFD.GPSInfo)
        info.update({1: "N", 2: (39.0, 54.0, 30.0), 3: "E", 4: (116.0, 23.0, 0.0)})
    return exif


def _upload(client, inspection_id: int, data: bytes, item: str = "pledges_public"):
    return client.post(
        f"/api/v1/inspections/{inspection_id}/photos",
        data={"item_key": item, "file": (io.BytesIO(data), "photo.jpg")},
    )


@pytest.fixture
def tablet(client, world):  # noqa: F811
    assert sign_in(client, "insp").status_code == 302
    return client


def test_gps_is_removed_unless_the_item_keeps_the_location():
    data = jpeg(exif=_exif())
    stripped, *_rest, captured, location = reencode(data, keep_location=False, tz=TZ)
    exif = Image.open(io.BytesIO(stripped)).getexif()
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo)
    assert ExifTags.Base.Make not in exif and ExifTags.Base.Model not in exif
    assert exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] == "2026:11:20 10:11:12"
    assert location == (None, None)
    assert captured.isoformat() == "2026-11-20T10:11:12+08:00"

    kept, *_rest, location = reencode(data, keep_location=True, tz=TZ)
    gps = Image.open(io.BytesIO(kept)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert gps[1] == "N" and float(gps[2][0]) == 39.0
    assert location == (pytest.approx(39.9083333), pytest.approx(116.3833333))


def test_orientation_is_applied_and_the_long_edge_capped():
    data = jpeg(3000, 2000, exif=_exif(orientation=6))
    out, width, height, *_rest = reencode(data, keep_location=False, tz=TZ)
    image = Image.open(io.BytesIO(out))
    assert (width, height) == image.size == (1067, 1600)  # rotated upright, then shrunk
    assert image.format == "JPEG"
    assert ExifTags.Base.Orientation not in image.getexif()


def test_png_and_webp_are_re_encoded_as_jpeg():
    for fmt in ("PNG", "WEBP"):
        out, width, height, *_rest = reencode(jpeg(400, 300, fmt=fmt), False, TZ)
        assert Image.open(io.BytesIO(out)).format == "JPEG" and (width, height) == (400, 300)


def test_not_an_image_is_refused(tablet, world, session):  # noqa: F811
    response = _upload(tablet, world.inspection.id, b"%PDF-1.4 not a photo")
    assert response.status_code == 422
    assert response.get_json()["error"] == "not_an_image"
    truncated = _upload(tablet, world.inspection.id, jpeg()[:300])
    assert truncated.status_code == 422
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    assert _upload(tablet, world.inspection.id, gif.getvalue()).status_code == 422
    no_file = tablet.post(
        f"/api/v1/inspections/{world.inspection.id}/photos", data={"item_key": "plan"}
    )
    assert no_file.status_code == 400  # said in the user's language, like every API error
    assert no_file.get_json()["fields"]["file"] == "请以 multipart 字段 file 发送照片。"
    assert session.query(Photo).count() == 0


def test_too_many_pixels_and_too_many_bytes_are_refused(tablet, world, app, monkeypatch):  # noqa: F811
    monkeypatch.setattr(photo_service, "MAX_PIXELS", 100_000)
    response = _upload(tablet, world.inspection.id, jpeg(800, 600))
    assert response.status_code == 413
    assert response.get_json()["error"] == "image_too_large"
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 2000)
    big = _upload(tablet, world.inspection.id, jpeg(800, 600))
    assert big.status_code == 413 and big.get_json()["error"] == "too_large"


def test_upload_is_stored_once_and_served_in_scope(tablet, world, client, app, session):  # noqa: F811
    first = _upload(tablet, world.inspection.id, jpeg(exif=_exif()))
    assert first.status_code == 201, first.get_json()
    again = _upload(tablet, world.inspection.id, jpeg(exif=_exif()))
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    body = first.get_json()
    assert body["location"] is None and body["captured_at"] == "2026-11-20T02:11:12+00:00"
    photo = session.get(Photo, body["id"])
    stored = app.extensions["dudao"].settings.data_dir / photo.path
    assert stored.is_file() and len(body["id"]) == 32
    assert not Image.open(stored).getexif().get_ifd(ExifTags.IFD.GPSInfo)

    served = tablet.get(body["url"])
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    assert served.data == stored.read_bytes()
    # Kept a day by the browser only (it was "public, max-age=86400, private" at once).
    assert served.cache_control.private and not served.cache_control.public
    assert served.cache_control.max_age == 86400
    for username, status in (("outsider", 404), ("other", 404), ("office", 200), ("lead", 200)):
        other = app.test_client()
        sign_in(other, username)
        assert other.get(body["url"]).status_code == status, username
    assert app.test_client().get(body["url"]).status_code == 401
    wrong_item = _upload(tablet, world.inspection.id, jpeg(), item="nope")
    assert wrong_item.status_code == 422 and "item_key" in wrong_item.get_json()["fields"]


def test_keep_location_photo_item_keeps_gps_through_the_service(session, world, app):  # noqa: F811
    """branch_standardisation's pio_photos asks for the location (keep_location: true)."""
    from datetime import date

    from dudao.definitions.queries import current_version
    from dudao.inspections.models import InspectionOrigin
    from dudao.inspections.services import create_inspection

    version = current_version(session, "branch_standardisation")
    inspection = create_inspection(
        session, world.office, world.org.branch_a1, version, date(2026, 12, 31),
        InspectionOrigin.AD_HOC, assignees=[world.inspector],
    )  # fmt: skip
    data_dir = app.extensions["dudao"].settings.data_dir
    data = jpeg(exif=_exif())
    kept, _ = photo_service.store_photo(
        session, world.inspector, inspection, "pio_photos", data, data_dir, TZ
    )
    plain, _ = photo_service.store_photo(
        session, world.inspector, inspection, "org_venue_photo", data, data_dir, TZ
    )
    assert kept.latitude == pytest.approx(39.9083333) and plain.latitude is None
    assert Image.open(data_dir / kept.path).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert not Image.open(data_dir / plain.path).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    with pytest.raises(PhotoRejected):
        photo_service.store_photo(
            session, world.inspector, inspection, "pio_photos", b"x", data_dir, TZ
        )
