"""scikit-learn's side of `npm run bench:train`: times HistGradientBoosting's fit on a data file.

    /usr/bin/python3 scripts/reference/hgb_fit.py --data rows.csv --target Status --task binary \
        [--drop Name] [--rows rows.json] [--repeat 2]

Reads the file with Tandem's column rules (tandem_tables.py), keeps the rows listed in --rows
(a JSON array of 0-based data-row numbers of the file, as in data/splits/; default: all) that
hold a target, then fits HistGradientBoostingClassifier
or Regressor with early stopping off and every other parameter at its default, --repeat times.
Prints one JSON line: the best fit time in seconds (fit alone: reading and encoding excluded, as
on Tandem's side), the rows, the iterations and the OpenMP threads scikit-learn used.
"""

import argparse
import json
import time
from pathlib import Path

import numpy as np
import sklearn
from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor
from threadpoolctl import threadpool_info

from tandem_tables import fit_tree_columns, read_csv


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", required=True, type=Path)
    parser.add_argument("--target", required=True)
    parser.add_argument("--task", required=True, choices=["binary", "multiclass", "regression"])
    parser.add_argument("--drop", action="append", default=[])
    parser.add_argument("--rows", type=Path)
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()

    frame = read_csv(args.data)
    if args.rows is not None:
        frame = frame.iloc[json.loads(args.rows.read_text())]
    frame = frame[frame[args.target].notna()]
    columns = fit_tree_columns(frame, [args.target, *args.drop])
    x = columns.matrix(frame)
    params = {"early_stopping": False, "categorical_features": columns.categorical_mask()}
    if args.task == "regression":
        y = frame[args.target].astype(float).to_numpy()
        make = lambda: HistGradientBoostingRegressor(**params)  # noqa: E731
    else:
        y = frame[args.target].to_numpy()
        make = lambda: HistGradientBoostingClassifier(**params)  # noqa: E731
    best = float("inf")
    iterations = 0
    for _ in range(args.repeat):
        model = make()
        started = time.perf_counter()
        model.fit(x, y)
        best = min(best, time.perf_counter() - started)
        iterations = int(model.n_iter_)
    threads = max((pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "openmp"), default=1)
    print(
        json.dumps(
            {
                "sklearn": sklearn.__version__,
                "rows": int(x.shape[0]),
                "features": int(x.shape[1]),
                "iterations": iterations,
                "threads": threads,
                "fitSeconds": best,
            }
        )
    )


if __name__ == "__main__":
    main()
