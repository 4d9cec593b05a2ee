"""Reads a Tandem config's data the way Tandem's trainer does, as the matrix trees read.

The rules mirror packages/features (inferSchema and treeSpec) so that scikit-learn sees the same
input columns as Tandem's gbdt:

- a cell that is empty or whitespace only is missing (NaN);
- a column whose non-missing training values are all yes / no / true / false (any case) is boolean
  (1 / 0);
- all numbers: numeric, as it is;
- all ISO-8601 dates: datetime, read as UTC and split into year, month, day of week (0 = Sunday)
  and hour, each as a number;
- anything else: categorical, coded 0, 1, ... with the most frequent training level first (ties
  by code-unit order), a level training never saw coded as missing.

Types are inferred on the training rows only, as Tandem does.
"""

import json
import math
import re
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd

DECIMAL = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
ISO_DATE = re.compile(
    r"^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?(Z|[+-]\d{2}(?::?\d{2})?)?$"
)


def iso_text(text: str) -> str:
    """Year-first dates with slashes ("2024/03/01") read as their ISO form, as Tandem does."""
    if len(text) >= 10 and text[4] == "/" and text[7] == "/":
        return f"{text[:4]}-{text[5:7]}-{text[8:]}"
    return text


BOOLEAN_WORDS = {"yes": 1.0, "no": 0.0, "true": 1.0, "false": 0.0}


@dataclass
class Config:
    name: str
    data: Path
    target: str
    task: str
    drop: list
    split: Path | None


def load_config(path: Path) -> Config:
    raw = json.loads(path.read_text())
    folder = path.parent
    split = raw.get("split", {}).get("file")
    return Config(
        name=raw["name"],
        data=(folder / raw["data"]).resolve(),
        target=raw["target"],
        task=raw["task"],
        drop=list(raw.get("drop", [])),
        split=(folder / split).resolve() if split else None,
    )


def read_csv(path: Path) -> pd.DataFrame:
    """Every cell as text; only an empty field is missing (pandas would also read "NA", "null")."""
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def is_missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


def infer_kind(values: pd.Series) -> str:
    present = [v for v in values if not is_missing(v)]
    if not present:
        return "numeric"
    if all(v.lower() in BOOLEAN_WORDS for v in present):
        return "boolean"
    if all(DECIMAL.match(v) for v in present):
        return "numeric"
    if all(ISO_DATE.match(iso_text(v)) for v in present):
        return "datetime"
    return "categorical"


def date_parts(text) -> tuple:
    if is_missing(text):
        return (math.nan,) * 4
    match = ISO_DATE.match(iso_text(text))
    year, month, day = int(match[1]), int(match[2]), int(match[3])
    hour = int(match[4]) if match[4] else 0
    offset = match[7]
    moment = datetime(year, month, day, hour, tzinfo=timezone.utc)
    if offset and offset != "Z":
        sign = 1 if offset[0] == "+" else -1
        digits = offset[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + (int(digits[2:]) if len(digits) > 2 else 0)
        moment = moment - sign * pd.Timedelta(minutes=minutes)
    dow = (moment.weekday() + 1) % 7
    return (float(moment.year), float(moment.month), float(dow), float(moment.hour))


@dataclass
class TreeColumns:
    """The fitted encoding: per input column its kind and, for categorical ones, the levels."""

    names: list  # raw input columns, in file order
    kinds: dict
    levels: dict

    def output_names(self) -> list:
        out = []
        for name in self.names:
            if self.kinds[name] == "datetime":
                out += [f"{name}:{part}" for part in ("year", "month", "dow", "hour")]
            else:
                out.append(name)
        return out

    def categorical_mask(self) -> np.ndarray:
        mask = []
        for name in self.names:
            width = 4 if self.kinds[name] == "datetime" else 1
            mask += [self.kinds[name] == "categorical"] * width
        return np.array(mask, dtype=bool)

    def matrix(self, frame: pd.DataFrame) -> np.ndarray:
        columns = []
        for name in self.names:
            kind = self.kinds[name]
            # Whitespace-only cells are missing, as in Tandem.
            values = frame[name].str.strip().replace("", np.nan)
            if kind == "numeric":
                columns.append(pd.to_numeric(values).to_numpy(dtype=float))
            elif kind == "boolean":
                columns.append(values.str.lower().map(BOOLEAN_WORDS).to_numpy(dtype=float))
            elif kind == "datetime":
                parts = np.array([date_parts(v) for v in values], dtype=float).reshape(-1, 4)
                columns += [parts[:, i] for i in range(4)]
            else:
                code = {level: float(i) for i, level in enumerate(self.levels[name])}
                columns.append(frame[name].map(code).to_numpy(dtype=float))
        return np.column_stack(columns)


def fit_tree_columns(train: pd.DataFrame, exclude: list) -> TreeColumns:
    names = [name for name in train.columns if name not in exclude]
    kinds = {name: infer_kind(train[name]) for name in names}
    levels = {}
    for name in names:
        if kinds[name] != "categorical":
            continue
        counts = train[name].dropna().value_counts()
        # Most frequent first, ties by code-unit order: Tandem's orderLevels.
        ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0].encode("utf-16-be")))
        levels[name] = [level for level, _ in ordered]
    return TreeColumns(names=names, kinds=kinds, levels=levels)


def split_rows(config: Config, frame: pd.DataFrame) -> tuple:
    """The split file's 0-based data-row numbers (rows without a target are in neither list)."""
    split = json.loads(config.split.read_text())
    return split["train"], split["test"]


@dataclass
class SplitTables:
    config: Config
    train: pd.DataFrame
    test: pd.DataFrame
    train_rows: list
    test_rows: list
    columns: TreeColumns


def split_tables(root: Path, name: str) -> SplitTables:
    """A shipped config's training and test rows and the tree columns fitted on the former."""
    config = load_config(root / f"data/models/{name}.json")
    frame = read_csv(config.data)
    train_rows, test_rows = split_rows(config, frame)
    train, test = frame.iloc[train_rows], frame.iloc[test_rows]
    columns = fit_tree_columns(train, [config.target, *config.drop])
    return SplitTables(config, train, test, train_rows, test_rows, columns)
