"""The Czech municipalities gazetteer (ČSÚ, ČÚZK – RÚIAN), loaded by the migrations."""

from __future__ import annotations

from sqlmodel import Field, SQLModel


class Municipality(SQLModel, table=True):
    code: int = Field(primary_key=True, description="ČSÚ / RÚIAN municipality code")
    name: str = Field(max_length=100)
    name_folded: str = Field(max_length=100, index=True, description="lowercase, no diacritics")
    name_key: str = Field(max_length=400, index=True, description="Czech collation sort key")
    orp_code: int = Field(index=True)
    orp_name: str = Field(max_length=100)
    okres_code: str = Field(max_length=6, index=True)
    okres_name: str = Field(max_length=100)
    kraj_code: str = Field(max_length=5, index=True)
    kraj_name: str = Field(max_length=100)
    lat: float
    lon: float
    population: int
    municipality_type: str = Field(max_length=30)
