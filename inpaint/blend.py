"""Poisson blending (Pérez et al. 2003) of generated content into the known part of an image.

Inside the hole Ω the result f solves the discrete Poisson equation Δf = k·Δg (g the generated
image, k its `detail`) with f = the observed image on the known pixels next to Ω; neighbours outside
the image are left out (Neumann boundary). k = 1 is Pérez et al.'s seamless cloning; k = 0 ignores g
and gives the membrane (harmonic) fill, the smoothest interpolation of the hole's border; by linearity
f_k = f_0 + k·(f_1 − f_0), so k between them keeps that share of the generated content's detail.
Our own sparse solver rather than OpenCV's `seamlessClone`: it is exact on the true known pixels,
works in float without 8-bit rounding of the source, and accepts holes that touch the image border,
which `seamlessClone` mishandles (it needs the mask inside the destination with a margin).
"""

from __future__ import annotations

import numpy as np
from scipy.sparse import coo_matrix
from scipy.sparse.linalg import splu

NEIGHBOURS = ((-1, 0), (1, 0), (0, -1), (0, 1))


def poisson_blend(source: np.ndarray, target: np.ndarray, hole: np.ndarray, detail: float = 1.0) -> np.ndarray:
    """Blend `source` into `target` (HxW or HxWxC floats) inside `hole` (HxW bool), keeping the share `detail` of
    the source's gradients (1: seamless cloning, 0: the membrane fill); target elsewhere.

    An empty hole returns `target` unchanged; a hole with no known pixel around it is refused.
    """
    hole = np.asarray(hole, dtype=bool)
    target = np.asarray(target, dtype=np.float64)
    if source.shape != target.shape or hole.shape != target.shape[:2]:
        raise ValueError(f"Shapes differ: source {source.shape}, target {target.shape}, hole {hole.shape}.")
    if not hole.any():
        return target.copy()
    if hole.all():
        raise ValueError("The hole covers the whole image: Poisson blending needs known pixels around it.")
    source = np.asarray(source, dtype=np.float64)
    squeeze = target.ndim == 2
    if squeeze:
        source, target = source[..., None], target[..., None]
    height, width = hole.shape
    ys, xs = np.nonzero(hole)
    index = -np.ones(hole.shape, dtype=np.int64)
    index[ys, xs] = np.arange(len(ys))
    rows, cols, values = [np.arange(len(ys))], [np.arange(len(ys))], [np.zeros(len(ys))]
    rhs = np.zeros((len(ys), target.shape[2]))
    for dy, dx in NEIGHBOURS:
        ny, nx = ys + dy, xs + dx
        inside = (ny >= 0) & (ny < height) & (nx >= 0) & (nx < width)
        p, qy, qx = np.nonzero(inside)[0], ny[inside], nx[inside]
        values[0][p] += 1.0
        rhs[p] += detail * (source[ys[p], xs[p]] - source[qy, qx])
        unknown = hole[qy, qx]
        rows.append(p[unknown])
        cols.append(index[qy[unknown], qx[unknown]])
        values.append(-np.ones(unknown.sum()))
        rhs[p[~unknown]] += target[qy[~unknown], qx[~unknown]]
    matrix = coo_matrix((np.concatenate(values), (np.concatenate(rows), np.concatenate(cols))), shape=(len(ys),) * 2)
    solution = splu(matrix.tocsc()).solve(rhs)
    result = target.copy()
    result[ys, xs] = solution
    return result[..., 0] if squeeze else result


def membrane_fill(image: np.ndarray, hole: np.ndarray) -> np.ndarray:
    """The membrane (harmonic) fill of `hole` in `image`: the blend keeping none of a source's detail."""
    return poisson_blend(image, image, hole, detail=0.0)
