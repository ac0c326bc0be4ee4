"""Photo evidence: checked to be a real image, re-encoded as JPEG, EXIF stripped.

Only the capture time survives the re-encoding, and the GPS location only when
the definition item asks for it (`keep_location`). Files live under
settings.data_dir/photos/<inspection id>/<random id>.jpg; the same image uploaded
twice for the same item (a retried upload) is stored once.
"""

from __future__ import annotations

import hashlib
import io
import os
import secrets
import tempfile
import warnings
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from dudao.audit.services import record
from dudao.core.errors import N_, Message
from dudao.definitions.queries import pinned
from dudao.inspections.models import Inspection
from dudao.inspections.submission_models import Photo
from dudao.inspections.submissions import FieldErrors

LONG_EDGE = 1600
MAX_PIXELS = 50_000_000  # decoded size cap: a 16 MB file may still claim gigapixels
FORMATS = {"JPEG", "PNG", "WEBP", "MPO"}
#: The names of those files (an MPO is a .jpg), which a page's file input offers.
SUFFIXES = {".jpg", ".jpeg", ".png", ".webp"}
#: Another kind of file, in the page's words before it is sent (web/uploads.py).
UNSUPPORTED = N_("%(file)s: upload a JPEG, PNG or WebP photo.")
QUALITY = 85
EXIF_TIME = "%Y:%m:%d %H:%M:%S"


class PhotoRejected(FieldErrors):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message, {"file": message})
        self.code = code


def _open(data: bytes) -> Image.Image:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data))
            if image.format not in FORMATS:
                raise PhotoRejected(
                    "not_an_image", Message(N_("Upload a JPEG, PNG or WebP photo."))
                )
            if image.width * image.height > MAX_PIXELS:
                raise PhotoRejected(
                    "image_too_large",
                    Message(
                        N_("The photo has too many pixels (%(w)d×%(h)d)."),
                        w=image.width,
                        h=image.height,
                    ),
                )
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise PhotoRejected(
            "not_an_image", Message(N_("This file is not an image Dudao can read."))
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise PhotoRejected(
            "image_too_large", Message(N_("The photo has too many pixels."))
        ) from None
    return image


def _captured_at(exif: Image.Exif, tz: ZoneInfo) -> datetime | None:
    raw = exif.get_ifd(ExifTags.IFD.Exif).get(ExifTags.Base.DateTimeOriginal) or exif.get(
        ExifTags.Base.DateTime
    )
    try:
        return datetime.strptime(str(raw).strip("\x00 "), EXIF_TIME).replace(tzinfo=tz)
    except (TypeError, ValueError):
        return None


def _degrees(values: Any, ref: Any) -> float | None:
    try:
        d, m, s = (float(v) for v in values)
    except (TypeError, ValueError):
        return None
    value = d + m / 60 + s / 3600
    return -value if str(ref).upper() in ("S", "W") else value


def _location(gps: dict[int, Any]) -> tuple[float | None, float | None]:
    lat = _degrees(gps.get(2), gps.get(1))
    lon = _degrees(gps.get(4), gps.get(3))
    if lat is None or lon is None or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None, None
    return round(lat, 7), round(lon, 7)


def reencode(
    data: bytes, keep_location: bool, tz: ZoneInfo
) -> tuple[bytes, int, int, datetime | None, tuple[float | None, float | None]]:
    """(jpeg bytes, width, height, capture time, (lat, lon)) of an upload, upright and small."""
    image = _open(data)
    exif = image.getexif()
    captured = _captured_at(exif, tz)
    gps = dict(exif.get_ifd(ExifTags.IFD.GPSInfo)) if keep_location else {}
    image = ImageOps.exif_transpose(image) or image
    image = image.convert("RGB")
    image.thumbnail((LONG_EDGE, LONG_EDGE), Image.Resampling.LANCZOS)
    kept = Image.Exif()
    if captured is not None:
        kept.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.DateTimeOriginal] = captured.strftime(
            EXIF_TIME
        )
    location: tuple[float | None, float | None] = (None, None)
    if gps:
        location = _location(gps)
        if location[0] is not None:
            kept.get_ifd(ExifTags.IFD.GPSInfo).update(
                {k: v for k, v in gps.items() if k in (0, 1, 2, 3, 4)}
            )
    out = io.BytesIO()
    image.save(out, "JPEG", quality=QUALITY, optimize=True, exif=kept.tobytes())
    return out.getvalue(), image.width, image.height, captured, location


def _write(folder: Path, name: str, data: bytes) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    descriptor, temp = tempfile.mkstemp(prefix=".upload.", dir=folder)
    with os.fdopen(descriptor, "wb") as handle:
        handle.write(data)
    os.replace(temp, folder / name)


def store_photo(
    session: Session,
    actor: Any,
    inspection: Inspection,
    item_key: str,
    data: bytes,
    data_dir: Path,
    tz: ZoneInfo,
) -> tuple[Photo, bool]:
    """(photo, created): re-encode and keep an upload for one item of an inspection."""
    definition = pinned(session, inspection.definition_version_id)
    item = definition._index.get(item_key)
    if item is None:
        raise FieldErrors(
            Message(N_("Photos belong to a question.")),
            {"item_key": Message(N_("There is no question with this key."))},
        )
    jpeg, width, height, captured, (lat, lon) = reencode(data, item.keep_location, tz)
    digest = hashlib.sha256(jpeg).hexdigest()
    existing = session.scalar(
        select(Photo).where(
            Photo.inspection_id == inspection.id, Photo.item_key == item_key, Photo.sha256 == digest
        )
    )
    if existing is not None:
        return existing, False
    photo_id = secrets.token_hex(16)
    relative = f"photos/{inspection.id}/{photo_id}.jpg"
    _write(data_dir / "photos" / str(inspection.id), f"{photo_id}.jpg", jpeg)
    photo = Photo(
        id=photo_id, inspection_id=inspection.id, item_key=item_key, path=relative,
        sha256=digest, size=len(jpeg), width=width, height=height,
        captured_at=captured.astimezone(UTC) if captured else None,
        latitude=lat, longitude=lon, uploaded_by_id=getattr(actor, "id", None),
    )  # fmt: skip
    session.add(photo)
    session.flush()
    record(
        session, actor, "inspection.photo", "inspection", inspection.id,
        after={"photo": photo_id, "item": item_key, "sha256": digest},
    )  # fmt: skip
    return photo, True


def photo_file(data_dir: Path, photo: Photo) -> Path:
    return data_dir / photo.path
