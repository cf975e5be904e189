"""Hand-built planning tables shared by the review tests (test_review, test_planning_review, test_linkage).

Not a test module: it holds data only, so that the same pool is checked by each module's tests.
"""

from __future__ import annotations

import pandas as pd

BEFORE, AFTER = "2016-03-15", "2017-03-15"


def frame(rows, columns):
    df = pd.DataFrame(rows, columns=columns)
    for column in df.columns:
        if column in ("since", "removed_on", "birth_date"):
            df[column] = pd.to_datetime(df[column])
        elif column in ("seats",):
            df[column] = df[column].astype("Int64")
        else:
            df[column] = df[column].astype("object").where(df[column].notna(), None).astype("str")
    return df


TITLES = frame(
    [
        ("T1", "Bí thư", "leadership", "2015-2020", 1),
        ("T2", "Chủ tịch UBND", "leadership", "2016-2021", 1),
        ("BCH", "Ủy viên Ban Chấp hành", "bch", "2015-2020", 2),
    ],
    ["title_id", "title", "body", "term", "seats"],
)


def people_frame(ids):
    born = {"P01": "1970-05-01", "P02": "1975-01-01", "P03": "1962-02-01", "P04": "1980-07-01",
            "P05": "1968-03-01", "P06": "1985-09-01"}
    gender = {"P01": "male", "P02": "female", "P03": "male", "P04": "male", "P05": "female", "P06": "female"}
    rows = [(p, f"Người {p}", gender[p], born[p], "Kinh" if p != "P06" else "Thái", "party")
            for p in ids]
    return frame(rows, ["person_id", "full_name", "gender", "birth_date", "ethnicity", "sector"])


# One planning table with dates: the pool on BEFORE and on AFTER.
#   P01 T1 retained · P02 T1 removed (moved) · P03 T2 removed (no reason) · P04 T2 removed (retired)
#   P05 BCH retained and T2 added (other_title) · P06 T1 added (new_source) · P01 T2 removed earlier.
DATED = frame(
    [
        ("P01", "T1", "approved", "2015-06-01", None, None),
        ("P02", "T1", "removed", "2015-06-01", AFTER, "Chuyển công tác"),
        ("P03", "T2", "removed", "2015-06-01", AFTER, None),
        ("P04", "T2", "removed", "2015-06-01", AFTER, "Nghỉ hưu"),
        ("P05", "BCH", "approved", "2015-06-01", None, None),
        ("P05", "T2", "approved", AFTER, None, None),
        ("P06", "T1", "proposed", AFTER, None, None),
        ("P01", "T2", "removed", "2015-06-01", "2015-12-01", "Quá tuổi"),  # out before BEFORE
    ],
    ["person_id", "title_id", "status", "since", "removed_on", "removal_reason"],
)

# The same review as two datasets: the pool before (no dates needed) and the table after.
BEFORE_TABLE = frame(
    [("P01", "T1", "approved"), ("P02", "T1", "approved"), ("P03", "T2", "approved"),
     ("P04", "T2", "approved"), ("P05", "BCH", "approved")],
    ["person_id", "title_id", "status"],
)
AFTER_TABLE = frame(
    [
        ("P01", "T1", "approved", None, None),
        ("P02", "T1", "removed", AFTER, "Chuyển công tác"),
        ("P04", "T2", "removed", AFTER, "Nghỉ hưu"),
        ("P05", "BCH", "approved", None, None),
        ("P05", "T2", "approved", None, None),
        ("P06", "T1", "proposed", None, None),
    ],
    ["person_id", "title_id", "status", "removed_on", "removal_reason"],
)
