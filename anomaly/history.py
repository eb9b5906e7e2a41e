"""Step (a) and (b) of HistoryAD: snapshots of a GAN's training and the history sampler P_G_hist.

Time is measured in epochs of the WGAN's training, as in the talk: t = step / (steps per epoch),
and a saved state t is drawn with density c·1[α, T]·e^(−βt), α and T in epochs, β per epoch. (An
earlier version measured t as the fraction of the run, which gave α and β a meaning that changed
with the run's length; see docs/anomaly.md.)
"""

from __future__ import annotations

import tempfile
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import torch
from safetensors.torch import load_file, save_file
from torch import Tensor, nn

from gan.task import GanTask

StateDict = dict[str, Tensor]


def _cpu_copy(module: nn.Module) -> StateDict:
    return {name: value.detach().to("cpu", copy=True) for name, value in module.state_dict().items()}


def _size_bytes(state: StateDict) -> int:
    return sum(value.numel() * value.element_size() for value in state.values())


@dataclass
class Snapshot:
    """Generator and critic states at one step, held in memory or as safetensors files on disk."""

    step: int
    generator: StateDict | Path
    critic: StateDict | Path

    @staticmethod
    def _load(state: StateDict | Path) -> StateDict:
        return load_file(str(state)) if isinstance(state, Path) else state

    def generator_state(self) -> StateDict:
        """The generator's state dict (read from disk when stored there)."""
        return self._load(self.generator)

    def critic_state(self) -> StateDict:
        """The critic's state dict (read from disk when stored there)."""
        return self._load(self.critic)


class SnapshotHook:
    """A `gan.train.train` hook that snapshots generator and critic every `every` steps.

    States stay in memory as CPU tensors while their total is under `memory_limit_mb`; later ones
    are written as safetensors under `directory` (a temporary folder when none is given).
    """

    def __init__(self, every: int, memory_limit_mb: float = 256.0, directory: Path | None = None) -> None:
        if every < 1:
            raise ValueError("Snapshots need `every` >= 1 step.")
        self.every, self.memory_limit = every, int(memory_limit_mb * 2**20)
        self.directory = directory
        self.snapshots: list[Snapshot] = []
        self._in_memory = 0

    def _store(self, state: StateDict, name: str) -> StateDict | Path:
        size = _size_bytes(state)
        if self._in_memory + size <= self.memory_limit:
            self._in_memory += size
            return state
        if self.directory is None:
            self.directory = Path(tempfile.mkdtemp(prefix="historyad-"))
        self.directory.mkdir(parents=True, exist_ok=True)
        path = self.directory / f"{name}.safetensors"
        save_file({k: v.contiguous() for k, v in state.items()}, str(path))
        return path

    def __call__(self, step: int, task: GanTask) -> None:
        """Snapshot at multiples of `every` (the loop calls this after each generator step)."""
        if step % self.every:
            return
        generator = self._store(_cpu_copy(task.generator), f"generator-{step:08d}")
        critic = self._store(_cpu_copy(task.critic), f"critic-{step:08d}")
        self.snapshots = [s for s in self.snapshots if s.step != step] + [Snapshot(step, generator, critic)]

    def restore(self, until_step: int) -> None:
        """Pick up the states a killed run wrote to `directory` up to `until_step` (its last checkpoint)."""
        if self.directory is None or not self.directory.is_dir():
            return
        for path in sorted(self.directory.glob("generator-*.safetensors")):
            step = int(path.stem.split("-")[1])
            critic = path.with_name(f"critic-{step:08d}.safetensors")
            if step <= until_step and critic.exists() and all(s.step != step for s in self.snapshots):
                self.snapshots.append(Snapshot(step, path, critic))
        self.snapshots.sort(key=lambda s: s.step)


def state_weights(steps: list[int], steps_per_epoch: float, alpha: float, beta: float) -> Tensor:
    """Probabilities of the saved states: ∝ 1[t ≥ α]·exp(−β t) with t = step / steps_per_epoch, in epochs."""
    times = torch.tensor(steps, dtype=torch.float64) / steps_per_epoch
    weights = torch.exp(-beta * (times - times.min())) * (times >= alpha)
    if weights.sum() <= 0:
        raise ValueError(f"No saved state has t >= alpha = {alpha} epochs; lower alpha or train longer.")
    return weights / weights.sum()


def averaged_state(states: list[StateDict], weights: Tensor) -> StateDict:
    """Σ_i w_i θ_i over floating-point tensors (the D_TV initialisation); other tensors from the last state."""
    if len(states) != len(weights):
        raise ValueError(f"{len(states)} states but {len(weights)} weights.")
    averaged = {}
    for name, last in states[-1].items():
        if last.is_floating_point():
            averaged[name] = sum(float(w) * state[name].double() for w, state in zip(weights, states)).to(last.dtype)
        else:
            averaged[name] = last.clone()
    return averaged


class HistorySampler:
    """Draws from P_G_hist: a state i ~ `weights`, then z ~ N(0, I), then G_i(z).

    A batch is grouped by drawn state so each generator runs once per batch; generator modules
    are built once per state and kept (up to `max_cached` of them, least recently used evicted).
    """

    def __init__(
        self,
        snapshots: list[Snapshot],
        weights: Tensor,
        make_generator: Callable[[], nn.Module],
        latent_dim: int,
        device: torch.device | str = "cpu",
        max_cached: int = 64,
    ) -> None:
        if len(snapshots) != len(weights):
            raise ValueError(f"{len(snapshots)} snapshots but {len(weights)} weights.")
        self.snapshots, self.weights = snapshots, weights.float()
        self.make_generator, self.latent_dim = make_generator, latent_dim
        self.device, self.max_cached = torch.device(device), max_cached
        self._modules: OrderedDict[int, nn.Module] = OrderedDict()

    def generator(self, index: int) -> nn.Module:
        """G_index in eval mode, built from its snapshot the first time it is asked for."""
        if index in self._modules:
            self._modules.move_to_end(index)
            return self._modules[index]
        module = self.make_generator()
        module.load_state_dict(self.snapshots[index].generator_state())
        module.to(self.device).eval().requires_grad_(False)
        self._modules[index] = module
        if len(self._modules) > self.max_cached:
            self._modules.popitem(last=False)
        return module

    def sample_states(self, n: int, rng: torch.Generator | None = None) -> Tensor:
        """n state indices drawn with the sampler's weights."""
        return torch.multinomial(self.weights, n, replacement=True, generator=rng)

    @torch.no_grad()
    def sample(self, n: int, rng: torch.Generator | None = None) -> Tensor:
        """n images of P_G_hist, in the order of their drawn states."""
        states = self.sample_states(n, rng)
        z = torch.randn(n, self.latent_dim, generator=rng).to(self.device)
        images = None
        for index in states.unique().tolist():
            rows = (states == index).nonzero().squeeze(1).to(self.device)
            out = self.generator(index)(z[rows])
            if images is None:
                images = torch.empty(n, *out.shape[1:], device=self.device)
            images[rows] = out
        return images
