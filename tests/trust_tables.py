"""Hand-built trust votes shared by the trust tests (test_trust, test_trust_checks, test_trust_rounds, …).

Not a test module: builders of canonical tables, with the Excel row numbers as the index.
"""

from __future__ import annotations

import pandas as pd

from analysis import trust

I64 = "Int64"


def conferences(**over) -> pd.DataFrame:
    """One conference `c1` (bch, 2024) with distinct counts for every base, unless overridden."""
    row = dict(conference_id="c1", step=pd.NA, body="bch", date=pd.Timestamp("2024-03-01"),
               date_precision="day", convened=40, present=36, ballots_issued=35, ballots_collected=34,
               ballots_valid=32, base=pd.NA)
    row.update(over)
    df = pd.DataFrame([row])
    for col in ("step", "convened", "present", "ballots_issued", "ballots_collected", "ballots_valid"):
        df[col] = df[col].astype(I64)
    df["base"] = df["base"].astype("str")
    df.index = pd.Index([2], name="excel_row")
    return df


def votes(rows: list[dict], first_row: int = 2) -> pd.DataFrame:
    """Counted trust votes with the index as the Excel row number (header on row 1)."""
    df = pd.DataFrame(rows)
    for col in ("high", "trust", "low", "agree", "disagree"):
        if col in df.columns:
            df[col] = df[col].astype(I64)
    df.index = pd.Index(range(first_row, first_row + len(df)), name="excel_row")
    return df


def one(**counts) -> pd.DataFrame:
    return votes([dict(conference_id="c1", person_id="001", full_name="Nguyễn Văn An", **counts)])


def three_people() -> pd.DataFrame:
    return trust.trust_table(votes([
        dict(conference_id="c1", person_id="1", full_name="A", position="Bí thư Huyện ủy", high=30, trust=0, low=0),
        dict(conference_id="c1", person_id="2", full_name="B", position="Phó Bí thư Huyện ủy", high=0, trust=14, low=16),
        dict(conference_id="c1", person_id="3", full_name="C", position="Trưởng phòng Nội vụ", high=0, trust=10, low=20),
    ]), conferences(convened=30, present=30, ballots_issued=30, ballots_collected=30, ballots_valid=30))
