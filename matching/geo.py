"""Great-circle distances and a coarse lat/lon grid for radius queries."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]

EARTH_KM = 6371.0088
#: Grid cell size in degrees: about 2.8 km north-south and 1.8 km east-west in Czechia,
#: small against typical anchor radii so that few pairs outside the circle are looked at.
CELL_DEG = 0.025


def haversine_km(lat1: F64, lon1: F64, lat2: F64, lon2: F64) -> F64:
    """Vectorised great-circle distance in km."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dlat = p2 - p1
    dlon = np.radians(lon2) - np.radians(lon1)
    a = np.sin(dlat / 2) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dlon / 2) ** 2
    out: F64 = 2 * EARTH_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    return out


def planar_km_sq(lat0: F64, lon0: F64, idx: I64, lat: F64, lon: F64) -> F64:
    """Squared equirectangular distance from points (lat0, lon0)[idx] to (lat, lon), with the
    east-west scale taken at the first point: within 1 % of the great circle below 50 km
    in Czech latitudes. Used only as a pre-filter with a margin."""
    km_per_deg = np.pi / 180.0 * EARTH_KM
    scale = (np.cos(np.radians(lat0)) * km_per_deg)[idx]
    dy = (lat - lat0[idx]) * km_per_deg
    dx = (lon - lon0[idx]) * scale
    out: F64 = dx * dx + dy * dy
    return out


def cell_rc(lat: F64, lon: F64) -> tuple[I64, I64]:
    """Grid row and column of points (rows by latitude, columns by longitude)."""
    rows = np.floor((lat + 90.0) / CELL_DEG).astype(np.int64)
    cols = np.floor((lon + 180.0) / CELL_DEG).astype(np.int64)
    return rows, cols


N_COLS = round(360.0 / CELL_DEG) + 1


def cell_id(rows: I64, cols: I64) -> I64:
    """A single integer per grid cell."""
    out: I64 = rows * N_COLS + cols
    return out
