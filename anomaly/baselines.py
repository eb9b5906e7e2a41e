"""Detectors a user would otherwise pick, behind one interface: fit on normal pixels, score any.

Every `score` returns higher = more anomalous, like HistoryAD's −D_TV, so one evaluation serves all.
"""
from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np
from sklearn.decomposition import PCA
from sklearn.ensemble import IsolationForest
from sklearn.svm import OneClassSVM


class Baseline(ABC):
    """A pixel-space anomaly detector: `fit(normal)` then `score(images)`; rows are flattened images."""

    name: str = ""

    def __init__(self, seed: int = 0) -> None:
        self.seed = seed

    @abstractmethod
    def fit(self, normal: np.ndarray) -> "Baseline":
        """Fit on normal rows (N, D)."""

    @abstractmethod
    def score(self, rows: np.ndarray) -> np.ndarray:
        """Anomaly score per row: higher = more anomalous."""


class IsolationForestBaseline(Baseline):
    """Isolation forest (Liu et al. 2008), 200 trees; score = −sklearn's score_samples."""

    name = "isolation-forest"

    def fit(self, normal: np.ndarray) -> "IsolationForestBaseline":
        self.model = IsolationForest(n_estimators=200, random_state=self.seed).fit(normal)
        return self

    def score(self, rows: np.ndarray) -> np.ndarray:
        return -self.model.score_samples(rows)


class OneClassSVMBaseline(Baseline):
    """One-class SVM (Schölkopf et al. 2001), RBF kernel, gamma='scale', nu=0.1; score = −decision function."""

    name = "one-class-svm"

    def fit(self, normal: np.ndarray) -> "OneClassSVMBaseline":
        self.model = OneClassSVM(kernel="rbf", gamma="scale", nu=0.1).fit(normal)
        return self

    def score(self, rows: np.ndarray) -> np.ndarray:
        return -self.model.decision_function(rows)


class PCAReconstructionBaseline(Baseline):
    """PCA keeping 90 % of the variance; score = squared reconstruction error."""

    name = "pca-reconstruction"

    def fit(self, normal: np.ndarray) -> "PCAReconstructionBaseline":
        self.model = PCA(n_components=0.9, random_state=self.seed).fit(normal)
        return self

    def score(self, rows: np.ndarray) -> np.ndarray:
        reconstruction = self.model.inverse_transform(self.model.transform(rows))
        return ((rows - reconstruction) ** 2).mean(axis=1)


BASELINES: dict[str, type[Baseline]] = {
    cls.name: cls for cls in (IsolationForestBaseline, OneClassSVMBaseline, PCAReconstructionBaseline)
}
