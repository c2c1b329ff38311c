"""Workspace settings, validated at the edge (pydantic) and kept as JSON.

The settings record the purpose the workspace exists for (protection.md:
滞納整理 only) and the thresholds of matching.md and protection.md, so that a
supervisor can see in one file what the batch decides with.
"""

from __future__ import annotations

import json
from pathlib import Path

from pydantic import BaseModel, Field, field_validator

from inquiry.messages import text

__all__ = ["Settings", "municipality_check_digit"]


def municipality_check_digit(first_five: str) -> int:
    """Check digit of a 全国地方公共団体コード (weights 6..2, modulus 11).

    >>> municipality_check_digit("13104")  # 新宿区 131041
    1
    """
    total = sum(int(d) * w for d, w in zip(first_five, (6, 5, 4, 3, 2), strict=True))
    return (11 - total % 11) % 10


class Settings(BaseModel):
    """One office's settings. The office itself has no default (protection.md): every request file
    carries its 照会機関コード, so a workspace silently made for another municipality would send
    this office's delinquents under that office's name."""

    municipality_code: str = Field(description="全国地方公共団体コード with check digit")
    municipality_name: str = Field(min_length=1, description="the office's municipality, as in its reports")
    municipality_kana: str = Field("", description="Zengin half-width kana for the DAIS header (blank when not given)")
    purpose: str = "滞納整理 (国税徴収法第141条 等に基づく財産調査) 以外には使用しない"
    followup_threshold_yen: int = 10_000
    followup_active_months: int = 6
    followup_period_months: int = 6
    followup_repeat_days: int = 90
    retention_days: int = Field(60, ge=1)
    unanswered_days: int = Field(
        60, ge=1, description="an inquiry or follow-up still unanswered this many days after it was sent is closed as 未回答 and deleted"
    )
    retention_extended: bool = Field(False, description="must be true to set retention_days or unanswered_days above 60")
    overdue_days: int = 30
    max_inquiries_per_file: int = Field(10_000, ge=1, le=10_000)

    @field_validator("municipality_code")
    @classmethod
    def _check_code(cls, v: str) -> str:
        if len(v) != 6 or not v.isascii() or not v.isdigit():
            raise ValueError(text("municipality_code_digits", value=v))
        if municipality_check_digit(v[:5]) != int(v[5]):
            raise ValueError(text("municipality_check_digit", value=v, digit=municipality_check_digit(v[:5])))
        return v

    @field_validator("municipality_name")
    @classmethod
    def _check_name(cls, v: str) -> str:
        if not v.strip():
            raise ValueError(text("municipality_name_blank"))
        return v.strip()

    def model_post_init(self, __context: object) -> None:
        for name in ("retention_days", "unanswered_days"):
            if getattr(self, name) > 60 and not self.retention_extended:
                raise ValueError(f"{name} above 60 needs retention_extended = true (protection.md)")

    @classmethod
    def load(cls, path: Path) -> Settings:
        return cls.model_validate_json(path.read_text(encoding="utf-8"))

    def save(self, path: Path) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.model_dump(), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        tmp.replace(path)
