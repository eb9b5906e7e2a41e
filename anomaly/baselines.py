"""The detectors a user would otherwise pick, from PyOD (Zhao et al. 2019), behind one registry.

Each is fitted on flattened normal images and scores any images with PyOD's `decision_function`:
higher = more anomalous, like HistoryAD's −D_TV, so one evaluation serves all. Settings are PyOD's
defaults except where named below (training lengths cut for a CPU, stated in every table).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Baseline:
    """A named PyOD detector and how it is built for a given input size and seed."""

    name: str
    description: str
    build: Callable[[int, int], object]

    def fit(self, normal: np.ndarray, seed: int = 0) -> object:
        """The PyOD detector fitted on normal rows (N, D); its `decision_function` scores rows."""
        detector = self.build(normal.shape[1], seed)
        detector.fit(normal)
        return detector

    def fit_score(self, normal: np.ndarray, rows: np.ndarray, seed: int = 0) -> np.ndarray:
        """Fit on normal rows (N, D), return the anomaly score of each of `rows` (higher = more anomalous)."""
        return np.asarray(self.fit(normal, seed).decision_function(rows), dtype=np.float64)


def _iforest(features: int, seed: int):
    from pyod.models.iforest import IForest

    return IForest(n_estimators=200, random_state=seed)


def _ocsvm(features: int, seed: int):
    from pyod.models.ocsvm import OCSVM

    return OCSVM(kernel="rbf", gamma="scale", nu=0.1)


def _pca(features: int, seed: int):
    from pyod.models.pca import PCA

    return PCA(random_state=seed)


def _autoencoder(features: int, seed: int):
    from pyod.models.auto_encoder import AutoEncoder

    return AutoEncoder(hidden_neuron_list=[256, 64], epoch_num=20, batch_size=64, random_state=seed, verbose=0)


def _deep_svdd(features: int, seed: int):
    from pyod.models.deep_svdd import DeepSVDD

    return DeepSVDD(
        n_features=features, hidden_neurons=[256, 64], epochs=20, batch_size=64, random_state=seed, verbose=0
    )


def _alad(features: int, seed: int):
    import torch
    from pyod.models.alad import ALAD

    torch.manual_seed(seed)
    return ALAD(
        latent_dim=16,
        dec_layers=[64, 256],
        enc_layers=[256, 64],
        disc_xx_layers=[256, 64],
        disc_zz_layers=[64, 32],
        disc_xz_layers=[256, 64],
        epochs=20,
        batch_size=64,
    )


BASELINES: dict[str, Baseline] = {
    b.name: b
    for b in (
        Baseline("isolation-forest", "PyOD IForest, 200 trees", _iforest),
        Baseline("one-class-svm", "PyOD OCSVM, RBF kernel, gamma='scale', nu=0.1", _ocsvm),
        Baseline("pca", "PyOD PCA with its defaults (all components, standardised, weighted projections)", _pca),
        Baseline("autoencoder", "PyOD AutoEncoder 1024-256-64, 20 epochs, batch 64", _autoencoder),
        Baseline("deep-svdd", "PyOD DeepSVDD 256-64, 20 epochs, batch 64", _deep_svdd),
        Baseline(
            "alad", "PyOD ALAD (adversarially learned anomaly detection, a GAN), z of 16, 20 epochs, batch 64", _alad
        ),
    )
}
