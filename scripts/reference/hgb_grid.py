"""A classifier's non-test rows: scikit-learn HGB over a grid of settings, ranked as auto ranks.

    /usr/bin/python3 scripts/reference/hgb_grid.py [titanic|credit]

For each setting (learning rate, leaves, rows per leaf, l2) it pools the out-of-fold
probabilities of stratified 5-fold cross-validation over the training rows of the dataset's
fixed split (fold seeds 1 and 2), each fold early-stopping on a fifth of its own training folds
(10 iterations without change), as auto's folds do. Prints the pooled log loss and accuracy per
fold seed, and the test accuracy of a 100-iteration fit on every training row. Inputs are
Tandem's tree encoding (tandem_tables.py). docs/quality.md quotes the titanic lines. Set
OMP_NUM_THREADS=1 on a shared machine.
"""

import sys
from itertools import product
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import accuracy_score, log_loss
from sklearn.model_selection import StratifiedKFold

from tandem_tables import split_tables

ROOT = Path(__file__).resolve().parents[2]
FOLD_SEEDS = [1, 2]
GRID = [
    {"learning_rate": rate, "max_leaf_nodes": leaves, "min_samples_leaf": per_leaf, "l2_regularization": l2}
    for rate, leaves, per_leaf, l2 in product([0.1, 0.05], [31, 15, 7], [20, 40], [0, 1])
]


def pooled(params, mask, x, y, seed):
    """Out-of-fold probabilities of one fold seed, every row predicted by the fold that left it out."""
    classes = np.unique(y)
    probabilities = np.zeros((len(y), len(classes)))
    for fit_rows, held_rows in StratifiedKFold(5, shuffle=True, random_state=seed).split(x, y):
        model = HistGradientBoostingClassifier(
            categorical_features=mask,
            early_stopping=True,
            validation_fraction=0.2,
            n_iter_no_change=10,
            max_iter=500,
            random_state=seed,
            **params,
        )
        model.fit(x[fit_rows], y[fit_rows])
        probabilities[held_rows] = model.predict_proba(x[held_rows])
    return log_loss(y, probabilities, labels=classes), accuracy_score(y, classes[probabilities.argmax(1)])


def main(name: str) -> None:
    tables = split_tables(ROOT, name)
    config, train, test, columns = tables.config, tables.train, tables.test, tables.columns
    x, x_test = columns.matrix(train), columns.matrix(test)
    y = train[config.target].astype(str).to_numpy()
    y_test = test[config.target].astype(str).to_numpy()
    mask = columns.categorical_mask()
    for params in GRID:
        folds = [pooled(params, mask, x, y, seed) for seed in FOLD_SEEDS]
        full = HistGradientBoostingClassifier(categorical_features=mask, early_stopping=False, **params)
        test_accuracy = accuracy_score(y_test, full.fit(x, y).predict(x_test))
        losses = ", ".join(f"{loss:.4f}" for loss, _ in folds)
        accuracies = ", ".join(f"{accuracy:.4f}" for _, accuracy in folds)
        print(f"{params}: cv log loss {losses}; cv accuracy {accuracies}; test accuracy {test_accuracy:.4f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "titanic")
