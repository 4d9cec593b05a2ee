"""credit's training rows: scikit-learn HGB (defaults, early stopping off) with three encodings.

    /usr/bin/python3 scripts/reference/hgb_encodings.py

Stratified 5-fold cross-validation on the training rows of data/splits/credit.json
(random_state 0), then the test accuracy of a fit on every training row, for: Tandem's tree
encoding with native categories (tandem_tables.py), the same codes read as ordinal numbers, and
the datasets README's preprocessing (numeric: median + scaling; categorical: most frequent +
one-hot). Prints one line per encoding (docs/quality.md quotes them). Set OMP_NUM_THREADS=1 on a
shared machine.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.model_selection import StratifiedKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from tandem_tables import fit_tree_columns, read_csv

ROOT = Path(__file__).resolve().parents[2]


def report(name, model, x, y, x_test, y_test, folds):
    scores = cross_validate(model, x, y, cv=folds, scoring=["accuracy", "neg_log_loss"])
    accuracy = scores["test_accuracy"]
    model.fit(x, y)
    print(
        f"{name}: cv accuracy {accuracy.mean():.4f} ± {accuracy.std() / np.sqrt(len(accuracy)):.4f}, "
        f"cv log loss {-scores['test_neg_log_loss'].mean():.4f}, "
        f"test accuracy {(model.predict(x_test) == y_test).mean():.4f}"
    )


def main() -> None:
    frame = read_csv(ROOT / "data/credit.csv")
    split = json.loads((ROOT / "data/splits/credit.json").read_text())
    train, test = frame.iloc[split["train"]], frame.iloc[split["test"]]
    y, y_test = train["Status"].to_numpy(), test["Status"].to_numpy()
    folds = StratifiedKFold(5, shuffle=True, random_state=0)

    columns = fit_tree_columns(train, ["Status"])
    x, x_test = columns.matrix(train), columns.matrix(test)
    native = HistGradientBoostingClassifier(
        early_stopping=False, categorical_features=columns.categorical_mask()
    )
    report("native categories", native, x, y, x_test, y_test, folds)
    report("ordinal codes", HistGradientBoostingClassifier(early_stopping=False), x, y, x_test, y_test, folds)

    raw, raw_test = train.drop(columns=["Status"]).copy(), test.drop(columns=["Status"]).copy()
    numeric = [c for c in raw.columns if pd.to_numeric(raw[c], errors="coerce").notna().sum() == raw[c].notna().sum()]
    categorical = [c for c in raw.columns if c not in numeric]
    for part in (raw, raw_test):
        for column in numeric:
            part[column] = pd.to_numeric(part[column])
    encode = ColumnTransformer(
        [
            ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
            (
                "categorical",
                make_pipeline(SimpleImputer(strategy="most_frequent"), OneHotEncoder(handle_unknown="ignore")),
                categorical,
            ),
        ]
    )
    readme = make_pipeline(encode, HistGradientBoostingClassifier(early_stopping=False))
    report("median + one-hot (README)", readme, raw, y, raw_test, y_test, folds)


if __name__ == "__main__":
    main()
