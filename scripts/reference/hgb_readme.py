"""Reproduces the `hgb` column of the shared datasets' README and each figure's standard error.

    /usr/bin/python3 scripts/reference/hgb_readme.py

The README's scikit-learn 1.2.1 figures were made on preprocessed inputs: numeric columns median-
imputed and standardized, every other column (yes/no, dates included) most-frequent-imputed and
one-hot encoded, then HistGradientBoosting with its defaults. This script refits exactly that on
the fixed splits and prints the test metric with one standard error: sqrt(p (1 - p) / n) for an
accuracy, and for an RMSE the delta-method error sd(e²) / (2 RMSE sqrt(n)) of the squared
errors e². `npm run quality` uses these standard errors as its tolerance.
"""

import json
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.impute import SimpleImputer
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from tandem_tables import load_config, split_rows

ROOT = Path(__file__).resolve().parents[2]


def main() -> None:
    for name in ["credit", "titanic", "penguins", "cars"]:
        config = load_config(ROOT / f"data/models/{name}.json")
        frame = pd.read_csv(config.data).drop(columns=config.drop)
        train_rows, test_rows = split_rows(config, frame)
        train, test = frame.iloc[train_rows], frame.iloc[test_rows]
        x_train = train.drop(columns=[config.target])
        x_test = test.drop(columns=[config.target])
        numeric = [c for c in x_train.columns if x_train[c].dtype.kind in "if"]
        other = [c for c in x_train.columns if c not in numeric]
        prepare = ColumnTransformer(
            [
                ("numeric", make_pipeline(SimpleImputer(strategy="median"), StandardScaler()), numeric),
                (
                    "other",
                    make_pipeline(
                        SimpleImputer(strategy="most_frequent"),
                        OneHotEncoder(handle_unknown="ignore", sparse_output=False),
                    ),
                    other,
                ),
            ]
        )
        y_test = test[config.target].to_numpy()
        if config.task == "regression":
            model = make_pipeline(prepare, HistGradientBoostingRegressor())
            errors = model.fit(x_train, train[config.target]).predict(x_test) - y_test
            rmse = float(np.sqrt(np.mean(errors**2)))
            se = float(np.std(errors**2, ddof=1) / (2 * rmse * np.sqrt(len(errors))))
            figure = {"metric": "rmse", "value": rmse, "standardError": se}
        else:
            model = make_pipeline(prepare, HistGradientBoostingClassifier())
            accuracy = float(np.mean(model.fit(x_train, train[config.target]).predict(x_test) == y_test))
            se = float(np.sqrt(accuracy * (1 - accuracy) / len(y_test)))
            figure = {"metric": "accuracy", "value": accuracy, "standardError": se}
        print(json.dumps({"dataset": name, "testRows": len(test_rows), **figure}))


if __name__ == "__main__":
    main()
