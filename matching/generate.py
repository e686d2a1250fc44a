"""Random instances: small synthetic ones for tests, and benchmark ones over the real
gazetteer of Czech municipalities (read as CSV; no import of the application).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import numpy.typing as npt

from matching.instance import Anchor, Flat, Household, Instance, Policy

GAZETTEER = Path(__file__).resolve().parent.parent / "agency" / "data" / "czech_municipalities.csv"
TODAY = date(2026, 11, 21)
F64 = npt.NDArray[np.float64]
_LAYOUTS = {1: "1+kk", 2: "2+1", 3: "3+1", 4: "4+1", 5: "5+1"}


def random_instance(
    seed: int, n_h: int, n_f: int, n_munis: int = 4, policy: Policy | None = None, excluded: int = 0
) -> Instance:
    """A small instance with heavy competition, for property tests against brute force."""
    rng = np.random.default_rng(seed)
    munis = [(f"M{i}", f"O{i // 2}", 49.5 + 0.1 * i, 15.0 + 0.1 * i) for i in range(n_munis)]
    flats = tuple(_small_flat(rng, i, munis) for i in range(n_f))
    hs = tuple(_small_household(rng, i, munis) for i in range(n_h))
    pairs = [
        (hs[int(rng.integers(n_h))].id, flats[int(rng.integers(n_f))].id)
        for _ in range(excluded if n_h and n_f else 0)
    ]
    return Instance(TODAY, hs, flats, policy or Policy(), tuple(pairs))


def _small_flat(
    rng: np.random.Generator, i: int, munis: list[tuple[str, str, float, float]]
) -> Flat:
    m, orp, lat, lon = munis[int(rng.integers(len(munis)))]
    rooms = int(rng.integers(1, 5))
    return Flat(
        id=f"F{i}",
        municipality_code=m,
        orp_code=orp,
        lat=lat + float(rng.normal(0, 0.03)),
        lon=lon + float(rng.normal(0, 0.03)),
        rooms=rooms,
        max_occupants=rooms + int(rng.integers(0, 3)),
        rent=int(rng.integers(5, 15)) * 1000,
        services=int(rng.integers(1, 4)) * 500,
        deposit=int(rng.integers(0, 3)) * 5000,
        available_from=TODAY + timedelta(days=int(rng.integers(-10, 90))),
        layout=_LAYOUTS[rooms],
        floor=int(rng.integers(0, 4)),
        lift=bool(rng.random() < 0.3),
        step_free=bool(rng.random() < 0.4),
        pets_allowed=bool(rng.random() < 0.5),
        landlord=f"L{int(rng.integers(3))}",
        building=f"B{int(rng.integers(max(2, i // 2 + 1)))}",
    )


def _small_household(
    rng: np.random.Generator, i: int, munis: list[tuple[str, str, float, float]]
) -> Household:
    pick = rng.choice(len(munis), size=int(rng.integers(1, 3)), replace=False)
    use_orp = rng.random() < 0.3
    anchor = None
    if rng.random() < 0.3:
        _, _, lat, lon = munis[int(pick[0])]
        anchor = Anchor(lat, lon, float(rng.integers(2, 15)))
    adults, children = int(rng.integers(1, 3)), int(rng.integers(0, 4))
    return Household(
        id=f"H{i}",
        adults=adults,
        children=children,
        urgency=int(rng.integers(1, 6)),
        registered_on=TODAY - timedelta(days=int(rng.choice([30, 100, 200, 400]))),
        max_housing_cost=int(rng.integers(8, 18)) * 1000,
        income=int(rng.integers(10, 40)) * 1000,
        deposit_available=int(rng.integers(0, 3)) * 5000,
        municipality_codes=() if use_orp else tuple(munis[int(k)][0] for k in pick),
        orp_codes=tuple(sorted({munis[int(k)][1] for k in pick})) if use_orp else (),
        anchor=anchor,
        needs_step_free=bool(rng.random() < 0.1),
        needs_ground_floor=bool(rng.random() < 0.1),
        has_pets=bool(rng.random() < 0.2),
        min_rooms=max(1, (adults + children) // 2),
        social_worker=f"S{int(rng.integers(3))}",
        move_in_by=TODAY + timedelta(days=int(rng.integers(0, 120)))
        if rng.random() < 0.5
        else None,
    )


@dataclass(frozen=True, slots=True)
class Place:
    code: str
    orp: str
    kraj: str
    lat: float
    lon: float
    population: int


def read_gazetteer(path: Path = GAZETTEER) -> list[Place]:
    """Municipalities of the gazetteer CSV, in file order."""
    with path.open(encoding="utf-8", newline="") as fh:
        return [
            Place(
                r["municipality_code"],
                r["orp_code"],
                r["kraj_code"],
                float(r["lat"]),
                float(r["lon"]),
                int(r["population"]),
            )
            for r in csv.DictReader(fh)
        ]


@dataclass(frozen=True, slots=True)
class Geography:
    """Gazetteer as arrays, plus ORP centroids and each ORP's neighbours."""

    places: list[Place]
    weight: np.ndarray  # sampling weight per municipality (population)
    orp_of: np.ndarray  # ORP index per municipality
    orps: list[str]
    orp_members: list[np.ndarray]  # municipality indices per ORP
    near_same_kraj: list[list[int]]  # nearest ORPs in the same kraj
    near_other_kraj: list[int]  # nearest ORP in another kraj


def geography(places: list[Place]) -> Geography:
    """Index the gazetteer: ORP membership, centroids and nearest neighbours."""
    orps = sorted({p.orp for p in places})
    pos = {o: i for i, o in enumerate(orps)}
    orp_of = np.array([pos[p.orp] for p in places])
    pop = np.array([max(p.population, 1) for p in places], dtype=np.float64)
    lat = np.array([p.lat for p in places])
    lon = np.array([p.lon for p in places])
    members = [np.flatnonzero(orp_of == i) for i in range(len(orps))]
    c_lat = np.array([np.average(lat[m], weights=pop[m]) for m in members])
    c_lon = np.array([np.average(lon[m], weights=pop[m]) for m in members])
    kraj = [places[int(m[0])].kraj for m in members]
    dist = np.hypot(c_lat[:, None] - c_lat[None, :], (c_lon[:, None] - c_lon[None, :]) * 0.65)
    same = np.array([[a == b for b in kraj] for a in kraj])
    np.fill_diagonal(dist, np.inf)
    near_same = [list(np.argsort(np.where(same[i], dist[i], np.inf))[:3]) for i in range(len(orps))]
    near_other = [int(np.argmin(np.where(same[i], np.inf, dist[i]))) for i in range(len(orps))]
    return Geography(places, pop, orp_of, orps, members, near_same, near_other)


def _city_factor(pop: F64) -> F64:
    """Rents rise with town size (Prague highest)."""
    out = np.select([pop > 1_000_000, pop > 90_000, pop > 20_000], [1.8, 1.3, 1.1], 0.9)
    return np.asarray(out, dtype=np.float64)


def _spread_km(pop: F64) -> F64:
    """Standard deviation of addresses around a municipality's centre point."""
    out: F64 = np.maximum(np.sqrt(pop) / 250.0, 0.3)
    return out


def _jitter(
    rng: np.random.Generator, lat: np.ndarray, lon: np.ndarray, km: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    dlat = rng.normal(0, 1, len(lat)) * km / 111.0
    dlon = rng.normal(0, 1, len(lat)) * km / (111.0 * np.cos(np.radians(lat)))
    return lat + dlat, lon + dlon


def bench_flats(
    rng: np.random.Generator, geo: Geography, munis: np.ndarray, flats_per_building: int
) -> tuple[Flat, ...]:
    """Flats in the given municipalities (one per entry), grouped into buildings."""
    n = len(munis)
    pl = geo.places
    pop = geo.weight[munis]
    lat, lon = _jitter(
        rng,
        np.array([pl[m].lat for m in munis]),
        np.array([pl[m].lon for m in munis]),
        _spread_km(pop),
    )
    rooms = rng.choice([1, 2, 3, 4], n, p=[0.2, 0.35, 0.3, 0.15])
    occupants = rooms + rng.integers(1, 4, n)
    rent = (rooms * rng.integers(2500, 4200, n) * _city_factor(pop)).astype(int) // 100 * 100
    services = 1500 + 600 * rooms + rng.integers(0, 8, n) * 100
    deposit = rent * rng.choice([0, 1, 2], n, p=[0.2, 0.5, 0.3])
    avail = rng.integers(-30, 90, n)
    order = np.argsort(munis, kind="stable")  # neighbouring flats share buildings
    building = np.empty(n, dtype=np.int64)
    building[order] = np.arange(n) // flats_per_building
    landlord = rng.integers(0, max(n // 6, 1), n)
    landlord_of_b = landlord[order][::flats_per_building]  # one landlord per building
    floor = rng.integers(0, 6, n)
    lift, step, pets = rng.random(n) < 0.35, rng.random(n) < 0.35, rng.random(n) < 0.4
    return tuple(
        Flat(
            id=f"F{i:06d}",
            municipality_code=pl[m].code,
            orp_code=pl[m].orp,
            lat=round(float(lat[i]), 6),
            lon=round(float(lon[i]), 6),
            rooms=int(rooms[i]),
            max_occupants=int(occupants[i]),
            rent=int(rent[i]),
            services=int(services[i]),
            deposit=int(deposit[i]),
            available_from=TODAY + timedelta(days=int(avail[i])),
            layout=_LAYOUTS[int(rooms[i])],
            floor=int(floor[i]),
            lift=bool(lift[i]),
            step_free=bool(step[i]),
            pets_allowed=bool(pets[i]),
            landlord=f"L{int(landlord_of_b[building[i]]):05d}",
            building=f"B{int(building[i]):06d}",
        )
        for i, m in enumerate(munis.tolist())
    )


def _areas(
    rng: np.random.Generator, geo: Geography, m: int, cross: float
) -> tuple[tuple[str, ...], tuple[str, ...], Anchor | None]:
    """Acceptable municipalities, ORPs and anchor of a household living in municipality m."""
    pl = geo.places[m]
    o = int(geo.orp_of[m])
    if geo.weight[m] > 90_000:  # big city: a radius around a district, not the whole city
        lat, lon = _jitter(
            rng, np.array([pl.lat]), np.array([pl.lon]), _spread_km(geo.weight[m : m + 1]) * 0.7
        )
        km = (
            float(rng.uniform(2.0, 3.5))
            if geo.weight[m] > 1_000_000
            else float(rng.uniform(3.0, 5.0))
        )
        return (), (), Anchor(round(float(lat[0]), 5), round(float(lon[0]), 5), km)
    orps = [o]
    if rng.random() < 0.6:
        orps.append(int(geo.near_same_kraj[o][0]))
    if rng.random() < cross:
        orps.append(geo.near_other_kraj[o])
    anchor = None
    if rng.random() < 0.2:
        anchor = Anchor(pl.lat, pl.lon, float(rng.integers(5, 16)))
    if rng.random() < 0.3:  # a few named municipalities instead of whole ORPs
        pick = rng.choice(geo.orp_members[o], size=min(4, len(geo.orp_members[o])), replace=False)
        codes = tuple(sorted({pl.code, *(geo.places[int(k)].code for k in pick)}))
        return codes, tuple(geo.orps[k] for k in orps[1:]), anchor
    return (), tuple(geo.orps[k] for k in orps), anchor


def bench_households(
    rng: np.random.Generator, geo: Geography, munis: np.ndarray, cross: float, caseload: int
) -> tuple[Household, ...]:
    """Households living in the given municipalities (one per entry)."""
    n = len(munis)
    adults = rng.choice([1, 2], n, p=[0.6, 0.4])
    children = rng.choice([0, 1, 2, 3, 4], n, p=[0.35, 0.25, 0.2, 0.12, 0.08])
    income = 12_000 + 7_000 * adults + 3_500 * children + rng.integers(0, 12_000, n)
    factor = _city_factor(geo.weight[munis])
    budget = (income * rng.uniform(0.35, 0.55, n) * factor).astype(int) // 100 * 100
    deposit = np.where(rng.random(n) < 0.4, 0, rng.integers(5, 31, n) * 1000)
    urgency = rng.choice([1, 2, 3, 4, 5], n, p=[0.25, 0.25, 0.2, 0.18, 0.12])
    waited = rng.integers(0, 1800, n)
    move = np.where(rng.random(n) < 0.5, rng.integers(14, 120, n), -1)
    flags = rng.random((n, 3))
    worker = np.empty(n, dtype=np.int64)
    order = np.argsort(geo.orp_of[munis], kind="stable")  # workers serve one area each
    worker[order] = np.arange(n) // caseload
    out = []
    for i, m in enumerate(munis.tolist()):
        codes, orps, anchor = _areas(rng, geo, m, cross)
        persons = int(adults[i] + children[i])
        out.append(
            Household(
                id=f"H{i:06d}",
                adults=int(adults[i]),
                children=int(children[i]),
                urgency=int(urgency[i]),
                registered_on=TODAY - timedelta(days=int(waited[i])),
                max_housing_cost=int(budget[i]),
                income=int(income[i]),
                deposit_available=int(deposit[i]),
                municipality_codes=codes,
                orp_codes=orps,
                anchor=anchor,
                needs_step_free=bool(flags[i, 0] < 0.05),
                needs_ground_floor=bool(flags[i, 1] < 0.05),
                has_pets=bool(flags[i, 2] < 0.2),
                min_rooms=max(1, persons // 2),
                move_in_by=TODAY + timedelta(days=int(move[i])) if move[i] >= 0 else None,
                social_worker=f"SW{int(worker[i]):05d}",
            )
        )
    return tuple(out)


def bench_instance(
    seed: int,
    n_h: int,
    n_f: int,
    kraj: str | None = None,
    policy: Policy | None = None,
    cross: float = 0.1,
    caseload: int = 40,
    flats_per_building: int = 4,
) -> Instance:
    """A benchmark instance placed by population over the gazetteer (optionally one kraj)."""
    rng = np.random.default_rng(seed)
    places = read_gazetteer()
    if kraj is not None:
        places = [p for p in places if p.kraj == kraj]
        cross = 0.0
    geo = geography(places)
    p = geo.weight / geo.weight.sum()
    flats = bench_flats(rng, geo, rng.choice(len(places), n_f, p=p), flats_per_building)
    hs = bench_households(rng, geo, rng.choice(len(places), n_h, p=p), cross, caseload)
    return Instance(TODAY, hs, flats, policy or Policy())
