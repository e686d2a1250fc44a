"""Photos of flats: limits on size, count and type, storage, and who may see them."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from litestar import Litestar
from litestar.testing import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import col, select

from agency.db import session_scope
from agency.enums import FlatStatus, UserRole
from agency.models import FlatPhoto
from agency.passwords import make_hasher
from tests.factories import Factory
from tests.webutil import PASSWORD, csrf_from, login
from web.app import create_app
from web.settings import MIB, Settings, UploadLimits

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 200
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + b"\x02" * 200
WEBP = b"RIFF\x24\x00\x00\x00WEBPVP8 " + b"\x03" * 200
GIF = b"GIF89a" + b"\x04" * 200


@dataclass(frozen=True)
class World:
    own_flat: int
    other_flat: int
    upload_dir: Path


@pytest.fixture
def world(web_engine: Engine, tmp_path: Path) -> World:
    """Alena owns a flat, Bohumil another; both log in with PASSWORD; one staff member."""
    hasher = make_hasher(cheap=True)
    with session_scope(web_engine) as session:
        factory = Factory(session)
        flats = []
        for name in ("alena", "bohumil"):
            landlord = factory.landlord(email=f"{name}@example.cz")
            factory.user(
                UserRole.landlord,
                email=f"{name}@example.cz",
                landlord_id=landlord.id,
                password_hash=hasher.hash(PASSWORD),
            )
            flats.append(int(factory.flat(FlatStatus.submitted, landlord_id=landlord.id).id or 0))
        for role in (UserRole.staff, UserRole.social_worker):
            factory.user(
                role, email=f"{role.value}@example.cz", password_hash=hasher.hash(PASSWORD)
            )
    return World(flats[0], flats[1], tmp_path / "uploads")


def app_client(engine: Engine, tmp_path: Path, uploads: UploadLimits) -> TestClient[Litestar]:
    settings = Settings(
        database_url="sqlite://", secret_key="test-secret", var_dir=tmp_path, uploads=uploads
    )
    return TestClient(create_app(settings, engine=engine, hasher=make_hasher(cheap=True)))


@pytest.fixture
def small(web_engine: Engine, tmp_path: Path, world: World) -> Iterator[TestClient[Litestar]]:
    """At most 1 MB per photo and 2 photos per flat."""
    limits = UploadLimits(max_photo_bytes=MIB, max_photos_per_flat=2)
    with app_client(web_engine, tmp_path, limits) as client:
        yield client


@pytest.fixture
def default(web_engine: Engine, tmp_path: Path, world: World) -> Iterator[TestClient[Litestar]]:
    with app_client(web_engine, tmp_path, UploadLimits()) as client:
        yield client


def upload(
    client: TestClient[Any], flat_id: int, content: bytes | None, claimed: str = "image/jpeg"
) -> Any:
    url = f"/portal/flats/{flat_id}/photos"
    token = csrf_from(client.get(url).text)
    files = {"photo": ("IMG_0001.jpg", content, claimed)} if content is not None else None
    data = {"_csrf_token": token}
    if files is None:
        files = {"other": ("empty.txt", b"", "text/plain")}
    return client.post(url, data=data, files=files, follow_redirects=False)


def stored(engine: Engine) -> list[FlatPhoto]:
    with session_scope(engine) as session:
        return list(session.exec(select(FlatPhoto).order_by(col(FlatPhoto.id))).all())


def files_in(directory: Path) -> list[Path]:
    return sorted(directory.iterdir()) if directory.exists() else []


@pytest.mark.parametrize(
    ("content", "content_type", "suffix"),
    [(JPEG, "image/jpeg", ".jpg"), (PNG, "image/png", ".png"), (WEBP, "image/webp", ".webp")],
)
def test_a_landlord_uploads_each_allowed_type(
    small: TestClient[Any],
    world: World,
    web_engine: Engine,
    content: bytes,
    content_type: str,
    suffix: str,
) -> None:
    login(small, "alena@example.cz")
    # The client's content type is not trusted: the bytes decide.
    response = upload(small, world.own_flat, content, claimed="text/html")
    assert response.status_code == 303, response.text
    assert response.headers["location"] == f"/portal/flats/{world.own_flat}/photos?uploaded=1"
    [photo] = stored(web_engine)
    assert (photo.flat_id, photo.content_type, photo.size_bytes) == (
        world.own_flat,
        content_type,
        len(content),
    )
    assert photo.filename.endswith(suffix) and "IMG_0001" not in photo.filename
    assert len(photo.filename) == 32 + len(suffix)  # 128 random bits
    [path] = files_in(world.upload_dir)
    assert path.name == photo.filename and path.read_bytes() == content
    assert "Fotografie byla nahrána." in small.get(response.headers["location"]).text


def test_a_photo_over_the_size_limit_stores_nothing(
    small: TestClient[Any], world: World, web_engine: Engine
) -> None:
    login(small, "alena@example.cz")
    exactly = upload(small, world.own_flat, JPEG[:100] + b"\0" * (MIB - 100))
    assert exactly.status_code == 303
    over = upload(small, world.own_flat, JPEG[:100] + b"\0" * (MIB - 99))
    assert over.status_code == 400
    assert "Fotografie je příliš velká: nejvýše 1 MB." in over.text
    assert len(stored(web_engine)) == 1 and len(files_in(world.upload_dir)) == 1


def test_the_default_limit_is_five_megabytes(
    default: TestClient[Any], world: World, web_engine: Engine
) -> None:
    login(default, "alena@example.cz")
    over = upload(default, world.own_flat, JPEG + b"\0" * (5 * MIB - len(JPEG) + 1))
    assert over.status_code == 400 and "nejvýše 5 MB" in over.text
    assert stored(web_engine) == [] and files_in(world.upload_dir) == []


def test_a_request_over_the_body_limit_is_refused(
    small: TestClient[Any], world: World, web_engine: Engine
) -> None:
    login(small, "alena@example.cz")
    response = upload(small, world.own_flat, JPEG + b"\0" * (3 * MIB))
    assert response.status_code == 413 and "Soubor je příliš velký." in response.text
    assert stored(web_engine) == [] and files_in(world.upload_dir) == []


def test_the_count_limit(small: TestClient[Any], world: World, web_engine: Engine) -> None:
    login(small, "alena@example.cz")
    assert [upload(small, world.own_flat, c).status_code for c in (JPEG, PNG)] == [303, 303]
    third = upload(small, world.own_flat, WEBP)
    assert third.status_code == 400
    assert "Byt může mít nejvýše 2 fotografií." in third.text
    assert len(stored(web_engine)) == 2 and len(files_in(world.upload_dir)) == 2
    page = small.get(f"/portal/flats/{world.own_flat}/photos").text
    assert 'type="file"' not in page and "Byt má nejvíce povolených fotografií (2)" in page


@pytest.mark.parametrize(
    "content",
    [GIF, b"<script>alert(1)</script>", b"RIFF\x00\x00\x00\x00AVI LIST", b"\xff\xd8"],
)
def test_other_content_is_refused(
    small: TestClient[Any], world: World, web_engine: Engine, content: bytes
) -> None:
    login(small, "alena@example.cz")
    response = upload(small, world.own_flat, content, claimed="image/jpeg")
    assert response.status_code == 400
    assert "Nahrát lze jen fotografie JPEG, PNG nebo WebP." in response.text
    assert stored(web_engine) == [] and files_in(world.upload_dir) == []


def test_no_file_or_an_empty_one(small: TestClient[Any], world: World, web_engine: Engine) -> None:
    login(small, "alena@example.cz")
    for content in (None, b""):
        response = upload(small, world.own_flat, content)
        assert response.status_code == 400 and "Vyberte fotografii" in response.text
    assert stored(web_engine) == []


def test_english_messages(small: TestClient[Any], world: World) -> None:
    login(small, "alena@example.cz")
    small.get("/lang/en?next=/")
    response = upload(small, world.own_flat, GIF)
    assert "Only JPEG, PNG or WebP photos can be uploaded." in response.text


def test_who_sees_a_photo(small: TestClient[Any], world: World, web_engine: Engine) -> None:
    login(small, "alena@example.cz")
    upload(small, world.own_flat, PNG)
    [photo] = stored(web_engine)
    own = small.get(f"/photos/{photo.id}")
    assert own.status_code == 200 and own.content == PNG
    assert own.headers["content-type"] == "image/png"
    assert own.headers["x-content-type-options"] == "nosniff"
    assert (
        photo.id is not None
        and f'src="/photos/{photo.id}"' in small.get(f"/portal/flats/{world.own_flat}/photos").text
    )
    small.cookies.clear()
    assert small.get(f"/photos/{photo.id}", follow_redirects=False).status_code == 303
    login(small, "bohumil@example.cz")
    assert small.get(f"/photos/{photo.id}").status_code == 404
    assert small.get(f"/portal/flats/{world.own_flat}/photos").status_code == 404
    small.cookies.clear()
    login(small, "social_worker@example.cz")
    assert small.get(f"/photos/{photo.id}").status_code == 403
    small.cookies.clear()
    login(small, "staff@example.cz")
    assert small.get(f"/photos/{photo.id}").content == PNG
    listing = small.get(f"/staff/flats/{world.own_flat}/photos")
    assert listing.status_code == 200 and f'src="/photos/{photo.id}"' in listing.text
    # Never from the static files.
    assert small.get(f"/static/{photo.filename}").status_code == 404
    assert small.get(f"/static/../uploads/{photo.filename}").status_code == 404


def test_another_landlord_cannot_upload_or_delete(
    small: TestClient[Any], world: World, web_engine: Engine
) -> None:
    login(small, "alena@example.cz")
    upload(small, world.own_flat, JPEG)
    [photo] = stored(web_engine)
    small.cookies.clear()
    login(small, "bohumil@example.cz")
    token = csrf_from(small.get(f"/portal/flats/{world.other_flat}/photos").text)
    files = {"photo": ("x.jpg", JPEG, "image/jpeg")}
    response = small.post(
        f"/portal/flats/{world.own_flat}/photos", data={"_csrf_token": token}, files=files
    )
    assert response.status_code == 404
    delete = small.post(
        f"/portal/flats/{world.own_flat}/photos/{photo.id}/delete", data={"_csrf_token": token}
    )
    assert delete.status_code == 404
    # Through his own flat's path, her photo is not found either.
    sideways = small.post(
        f"/portal/flats/{world.other_flat}/photos/{photo.id}/delete", data={"_csrf_token": token}
    )
    assert sideways.status_code == 404
    assert len(stored(web_engine)) == 1 and len(files_in(world.upload_dir)) == 1


def test_the_landlord_deletes_a_photo(
    small: TestClient[Any], world: World, web_engine: Engine
) -> None:
    login(small, "alena@example.cz")
    upload(small, world.own_flat, JPEG)
    [photo] = stored(web_engine)
    token = csrf_from(small.get(f"/portal/flats/{world.own_flat}/photos").text)
    response = small.post(
        f"/portal/flats/{world.own_flat}/photos/{photo.id}/delete",
        data={"_csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303
    assert stored(web_engine) == [] and files_in(world.upload_dir) == []
    with session_scope(web_engine) as session:
        assert session.execute(sa.select(sa.func.count()).select_from(FlatPhoto)).scalar() == 0


def test_limits_come_from_the_environment(tmp_path: Path) -> None:
    from web.settings import load_settings

    env = {
        "AGENCY_VAR_DIR": str(tmp_path),
        "SECRET_KEY": "x",
        "MAX_PHOTO_BYTES": "1000",
        "MAX_PHOTOS_PER_FLAT": "3",
        "PUBLIC_LIMIT_PER_IP": "7",
        "PUBLIC_LIMIT_PER_EMAIL": "2",
        "PUBLIC_LIMIT_WINDOW_MINUTES": "15",
    }
    settings = load_settings(env)
    assert (settings.uploads.max_photo_bytes, settings.uploads.max_photos_per_flat) == (1000, 3)
    assert settings.upload_dir == tmp_path / "uploads"
    assert settings.uploads.max_request_bytes == 2 * MIB
    limits = settings.public_limits
    assert (limits.per_ip, limits.per_email, limits.window_minutes) == (7, 2, 15)
    moved = load_settings(env | {"UPLOAD_DIR": str(tmp_path / "elsewhere")})
    assert moved.upload_dir == tmp_path / "elsewhere"
    defaults = load_settings({"AGENCY_VAR_DIR": str(tmp_path), "SECRET_KEY": "x"})
    assert (defaults.uploads.max_photo_bytes, defaults.uploads.max_photos_per_flat) == (5 * MIB, 10)
    assert defaults.uploads.max_request_bytes == 6 * MIB
