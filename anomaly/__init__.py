"""HistoryAD (Chatillon & Ballester 2020): anomaly detection with the history of a GAN's training.

(a) a WGAN-GP is trained on normal data and its generator and critic states are snapshotted
(`anomaly.history.SnapshotHook`, a hook of `gan.train.train`); (b) the anomalous distribution
P_G_hist samples a state t (in epochs) with density c·1[α, T]·e^(−βt), then z, then G_t(z)
(`anomaly.history.HistorySampler`); (c) D_TV maximises E_real[D] − E_hist[D] under the smooth
bound penalty, initialised with the exponentially weighted mean of the saved critics
(`anomaly.dtv.fit_dtv`). The anomaly score is −D_TV(x), defined once in
`anomaly.model.HistoryADModel.score`. Use it through `anomaly.Detector`; this package never imports gradio.
"""

from gan.lazy import lazy_exports

__all__ = ["DetectionResult", "Detector", "ImageScore"]
__getattr__ = lazy_exports(__name__, {name: "anomaly.detector" for name in __all__})
