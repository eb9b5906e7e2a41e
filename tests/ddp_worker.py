"""Run by tests/test_train.py under torchrun: a few WGAN-GP steps, then prints every replica's weight checksum."""

import sys

import torch
import torch.distributed as dist
from torch.utils.data import TensorDataset

from gan.nets import DCGANCritic, DCGANGenerator
from gan.objectives import make_objective
from gan.task import UnconditionalGAN
from gan.train import TrainConfig, train

torch.set_num_threads(1)
task = UnconditionalGAN(DCGANGenerator(8, 1, 16, 8), DCGANCritic(1, 16, 8, norm="layer"), make_objective("wgan-gp"), 8)
data = TensorDataset(torch.rand(128, 1, 16, 16, generator=torch.Generator().manual_seed(1)) * 2 - 1)
train(task, data, TrainConfig(run_dir=sys.argv[1], steps=3, batch_size=8, progress=False, device="cpu"))
flat = torch.cat([p.detach().flatten() for p in task.parameters()])
gathered = [torch.zeros_like(flat) for _ in range(dist.get_world_size())]
dist.all_gather(gathered, flat)
if dist.get_rank() == 0:
    print(
        "REPLICA_MAX_DIFF", max((g - gathered[0]).abs().max().item() for g in gathered), "WORLD", dist.get_world_size()
    )
dist.destroy_process_group()
