"""Photos of flats: a landlord uploads them to their own flat, staff look at them.

Files live under the settings' upload directory with random names and are served only
through the guarded route below (never from /static): to staff, and to the flat's landlord.
An upload over a limit stores nothing, neither a row nor a file.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

import sqlalchemy as sa
from litestar import Controller, Request, get, post
from litestar.datastructures import State, UploadFile
from litestar.di import NamedDependency
from litestar.enums import RequestEncodingType
from litestar.exceptions import NotFoundException
from litestar.params import Body, PathParameter
from litestar.response import File, Redirect, Template
from litestar.types import ControllerRouterHandler
from sqlmodel import Session, col, select

from agency.enums import UserRole
from agency.models import Flat, FlatPhoto
from agency.services.landlords import get_landlord_flat
from web.deps import commit, current_user, runtime
from web.guards import LANDLORD, STAFF, requires
from web.render import page, see_other, t
from web.settings import UploadLimits

Upload = Annotated[dict[str, Any], Body(media_type=RequestEncodingType.MULTI_PART)]
FlatId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
PhotoId = Annotated[int, PathParameter(ge=1, le=2**31 - 1)]
PHOTO_VIEWERS = requires(UserRole.landlord, UserRole.staff, UserRole.admin)

# (magic bytes at offset 0, more bytes at offset 8 or b"", content type, file suffix)
SIGNATURES: tuple[tuple[bytes, bytes, str, str], ...] = (
    (b"\xff\xd8\xff", b"", "image/jpeg", ".jpg"),
    (b"\x89PNG\r\n\x1a\n", b"", "image/png", ".png"),
    (b"RIFF", b"WEBP", "image/webp", ".webp"),
)


@dataclass(frozen=True)
class PhotoKind:
    content_type: str
    suffix: str


class PhotoRefused(Exception):
    """An upload the limits refuse; `message` (with `values`) is shown to the landlord."""

    def __init__(self, message: str, **values: Any) -> None:
        super().__init__(message)
        self.message = message
        self.values = values


def sniff(head: bytes) -> PhotoKind | None:
    """The image type by its first bytes (the client's content type is not trusted)."""
    for magic, at_eight, content_type, suffix in SIGNATURES:
        if head.startswith(magic) and (not at_eight or head[8:12] == at_eight):
            return PhotoKind(content_type, suffix)
    return None


def read_photo(upload: object, limits: UploadLimits) -> tuple[bytes, PhotoKind]:
    """The uploaded bytes and their type, or PhotoRefused."""
    if not isinstance(upload, UploadFile):
        raise PhotoRefused("Choose a photo to upload.")
    content = upload.file.read(limits.max_photo_bytes + 1)
    if not content:
        raise PhotoRefused("Choose a photo to upload.")
    if len(content) > limits.max_photo_bytes:
        raise PhotoRefused(
            "The photo is too large: at most %(mb)s MB.", mb=_megabytes(limits.max_photo_bytes)
        )
    kind = sniff(content[:16])
    if kind is None:
        raise PhotoRefused("Only JPEG, PNG or WebP photos can be uploaded.")
    return content, kind


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):g}"


def flat_photos(db: Session, flat_id: int) -> list[FlatPhoto]:
    query = select(FlatPhoto).where(FlatPhoto.flat_id == flat_id).order_by(col(FlatPhoto.id))
    return list(db.exec(query).all())


def _count(db: Session, flat_id: int) -> int:
    query = sa.select(sa.func.count()).where(col(FlatPhoto.flat_id) == flat_id)
    return int(db.execute(query).scalar_one())


def _lock_flat(db: Session, flat_id: int) -> None:
    """Serialise uploads to one flat, so two at once cannot pass the count limit together."""
    db.execute(sa.select(col(Flat.id)).where(col(Flat.id) == flat_id).with_for_update())


def store_photo(
    db: Session, *, flat_id: int, content: bytes, kind: PhotoKind, limits: UploadLimits, to: Path
) -> tuple[FlatPhoto, Path]:
    """Write the file under a random name and add its row (flushed, not committed)."""
    _lock_flat(db, flat_id)
    if _count(db, flat_id) >= limits.max_photos_per_flat:
        raise PhotoRefused(
            "A flat can have at most %(count)s photos.", count=limits.max_photos_per_flat
        )
    to.mkdir(parents=True, exist_ok=True)
    name = secrets.token_hex(16) + kind.suffix
    path = to / name
    path.write_bytes(content)
    photo = FlatPhoto(
        flat_id=flat_id, filename=name, content_type=kind.content_type, size_bytes=len(content)
    )
    try:
        db.add(photo)
        db.flush()
    except Exception:
        path.unlink(missing_ok=True)
        raise
    return photo, path


def _landlord_id(request: Request[Any, Any, Any], db: Session) -> int | None:
    user = current_user(request, db)
    return user.landlord_id if user is not None else None


def _photos_page(
    request: Request[Any, Any, Any],
    db: Session,
    flat: Flat,
    limits: UploadLimits,
    status: int = 200,
    error: str | None = None,
) -> Template:
    return page(
        request,
        "landlord/photos.html",
        status,
        flat=flat,
        photos=flat_photos(db, int(flat.id or 0)),
        max_photos=limits.max_photos_per_flat,
        max_mb=_megabytes(limits.max_photo_bytes),
        error=error,
        uploaded="uploaded" in request.query_params,
    )


class LandlordPhotos(Controller):
    """A landlord's photos of their own flat: any other flat answers 404."""

    guards = [LANDLORD]
    path = "/portal/flats/{flat_id:int}/photos"

    @get("/", sync_to_thread=True)
    def photos(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        state: State,
        flat_id: FlatId,
    ) -> Template:
        flat = get_landlord_flat(db, landlord_id=_landlord_id(request, db), flat_id=flat_id)
        return _photos_page(request, db, flat, runtime(state).settings.uploads)

    @post("/", status_code=303, sync_to_thread=True)
    def upload(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        state: State,
        flat_id: FlatId,
        data: Upload,
    ) -> Template | Redirect:
        flat = get_landlord_flat(db, landlord_id=_landlord_id(request, db), flat_id=flat_id)
        settings = runtime(state).settings
        try:
            content, kind = read_photo(data.get("photo"), settings.uploads)
            _, path = store_photo(
                db,
                flat_id=flat_id,
                content=content,
                kind=kind,
                limits=settings.uploads,
                to=settings.upload_dir,
            )
        except PhotoRefused as exc:
            db.rollback()
            message = t(request, exc.message, **exc.values)
            return _photos_page(request, db, flat, settings.uploads, 400, message)
        try:
            commit(db)
        except Exception:
            path.unlink(missing_ok=True)  # no row, no file
            raise
        return see_other(f"/portal/flats/{flat_id}/photos?uploaded=1")

    @post("/{photo_id:int}/delete", status_code=303, sync_to_thread=True)
    def delete(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        state: State,
        flat_id: FlatId,
        photo_id: PhotoId,
    ) -> Redirect:
        get_landlord_flat(db, landlord_id=_landlord_id(request, db), flat_id=flat_id)
        photo = db.get(FlatPhoto, photo_id)
        if photo is None or photo.flat_id != flat_id:
            raise NotFoundException("no such photo")
        name = photo.filename
        db.delete(photo)
        commit(db)
        (runtime(state).settings.upload_dir / name).unlink(missing_ok=True)
        return see_other(f"/portal/flats/{flat_id}/photos")


class StaffPhotos(Controller):
    """Staff see the photos of any flat."""

    guards = [STAFF]

    @get("/staff/flats/{flat_id:int}/photos", sync_to_thread=True)
    def photos(
        self, request: Request[Any, Any, Any], db: NamedDependency[Session], flat_id: FlatId
    ) -> Template:
        flat = db.get(Flat, flat_id)
        if flat is None:
            raise NotFoundException("no such flat")
        return page(request, "staff/photos.html", flat=flat, photos=flat_photos(db, flat_id))


class PhotoFiles(Controller):
    """One photo's file: for staff, and for the landlord of its flat (404 for others)."""

    guards = [PHOTO_VIEWERS]

    @get("/photos/{photo_id:int}", sync_to_thread=True)
    def photo_file(
        self,
        request: Request[Any, Any, Any],
        db: NamedDependency[Session],
        state: State,
        photo_id: PhotoId,
    ) -> File:
        photo = db.get(FlatPhoto, photo_id)
        if photo is None or not _may_see(request, db, photo):
            raise NotFoundException("no such photo")
        path = runtime(state).settings.upload_dir / photo.filename
        if not path.is_file():
            raise NotFoundException("no such photo")
        return File(
            path=path,
            media_type=photo.content_type,
            content_disposition_type="inline",
            filename=photo.filename,
            headers={"Cache-Control": "private, max-age=300"},
        )


def _may_see(request: Request[Any, Any, Any], db: Session, photo: FlatPhoto) -> bool:
    user = current_user(request, db)
    if user is None:
        return False
    if user.role != UserRole.landlord:
        return True  # the guard let in only staff, admins and landlords
    flat = db.get(Flat, photo.flat_id)
    return (
        flat is not None and user.landlord_id is not None and flat.landlord_id == user.landlord_id
    )


ROUTES: list[ControllerRouterHandler] = [LandlordPhotos, StaffPhotos, PhotoFiles]
