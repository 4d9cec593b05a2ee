"""Reference predictions of scikit-learn's HistGradientBoosting for Tandem's agreement test.

    /usr/bin/python3 scripts/reference/hgb_agreement.py

For each shipped config (data/models/*.json) it fits HistGradientBoostingClassifier or
HistGradientBoostingRegressor with early stopping off and every other parameter at its default,
on exactly the training rows of the fixed split, with the input columns Tandem's gbdt reads
(tandem_tables.py: numeric as is, booleans 0 / 1, datetime parts, categorical columns as codes
split natively through `categorical_features`), and writes its predictions on the test rows to
apps/trainer/test/fixtures/sklearn/<name>.json: probabilities (classifiers), raw margins
(decision_function: log-odds for binary, one score per class for multiclass) and values
(regression). Tests read these files; they never run Python.
"""

import json
import platform
import sys
from pathlib import Path

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from sklearn.metrics import accuracy_score, mean_squared_error, roc_auc_score

from tandem_tables import split_tables

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "apps/trainer/test/fixtures/sklearn"
DATASETS = ["credit", "titanic", "penguins", "cars"]
DIGITS = 9


def rounded(values: np.ndarray) -> list:
    return np.round(values.astype(float), DIGITS).tolist()


def reference(name: str) -> dict:
    tables = split_tables(ROOT, name)
    config, train, test, columns = tables.config, tables.train, tables.test, tables.columns
    train_rows, test_rows = tables.train_rows, tables.test_rows
    x_train, x_test = columns.matrix(train), columns.matrix(test)
    params = {"early_stopping": False, "categorical_features": columns.categorical_mask()}
    result = {
        "format": 1,
        "generator": "scripts/reference/hgb_agreement.py",
        "versions": {
            "python": platform.python_version(),
            "sklearn": sklearn.__version__,
            "numpy": np.__version__,
        },
        "dataset": name,
        "task": config.task,
        "target": config.target,
        "inputs": {n: columns.kinds[n] for n in columns.names},
        "features": columns.output_names(),
        "params": {"early_stopping": False, "others": "scikit-learn defaults"},
        "trainRows": len(train_rows),
        "testRows": test_rows,
    }
    if config.task == "regression":
        y_train = train[config.target].astype(float).to_numpy()
        y_test = test[config.target].astype(float).to_numpy()
        model = HistGradientBoostingRegressor(**params).fit(x_train, y_train)
        values = model.predict(x_test)
        result["iterations"] = int(model.n_iter_)
        result["values"] = rounded(values)
        result["metrics"] = {"rmse": float(np.sqrt(mean_squared_error(y_test, values)))}
        return result
    y_train = train[config.target].to_numpy()
    y_test = test[config.target].to_numpy()
    model = HistGradientBoostingClassifier(**params).fit(x_train, y_train)
    probabilities = model.predict_proba(x_test)
    margins = model.decision_function(x_test)
    predicted = model.classes_[np.argmax(probabilities, axis=1)]
    result["iterations"] = int(model.n_iter_)
    result["classes"] = model.classes_.tolist()
    result["probabilities"] = rounded(probabilities)
    result["margins"] = rounded(margins)
    result["labels"] = predicted.tolist()
    metrics = {"accuracy": float(accuracy_score(y_test, predicted))}
    if len(model.classes_) == 2:
        metrics["auc"] = float(roc_auc_score(y_test == model.classes_[1], probabilities[:, 1]))
    result["metrics"] = metrics
    return result


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name in DATASETS:
        result = reference(name)
        path = OUT / f"{name}.json"
        temporary = path.with_suffix(".json.tmp")
        temporary.write_text(json.dumps(result, separators=(",", ":")) + "\n")
        temporary.replace(path)
        print(f"{name}: {result['metrics']} -> {path.relative_to(ROOT)}", file=sys.stderr)


if __name__ == "__main__":
    main()
