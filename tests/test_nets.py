"""Network shapes and architectural promises."""

import pytest
import torch
from torch import nn

from gan.nets import AutoencoderCritic, DCGANCritic, DCGANGenerator, PatchGAN, UNet


def test_unet_maps_l_to_ab_in_tanh_range_with_the_input_size():
    out = UNet(1, 2, base_channels=8, depth=4, max_channels=32).eval()(torch.randn(2, 1, 32, 48))
    assert out.shape == (2, 2, 32, 48) and out.abs().max() <= 1


def test_unet_refuses_sides_that_are_not_multiples_of_its_stride():
    with pytest.raises(ValueError, match="multiples of 16"):
        UNet(1, 2, base_channels=8, depth=4)(torch.randn(1, 1, 30, 32))


def test_unet_has_dropout_on_the_first_decoder_blocks_only():
    net = UNet(1, 2, base_channels=8, depth=5, dropout=0.5, dropout_blocks=2)
    has_dropout = [any(isinstance(m, nn.Dropout) for m in block.modules()) for block in net.decoder]
    assert has_dropout == [True, True, False, False]


def test_patchgan_at_256_px_outputs_the_30x30_map_of_70x70_patches():
    assert PatchGAN(3, 8, n_layers=3)(torch.randn(1, 3, 256, 256)).shape == (1, 1, 30, 30)


def test_patchgan_without_norm_has_no_batchnorm():
    assert not any(isinstance(m, nn.BatchNorm2d) for m in PatchGAN(3, 8, norm="none").modules())


def test_dcgan_pair_round_trips_latents_to_scores():
    generator, critic = DCGANGenerator(16, 3, 32, 8), DCGANCritic(3, 32, 8)
    images = generator(torch.randn(5, 16))
    assert images.shape == (5, 3, 32, 32) and critic(images).shape == (5, 1)


def test_autoencoder_critic_reconstructs_the_input_shape():
    assert AutoencoderCritic(3, 8, depth=3)(torch.randn(2, 3, 32, 32)).shape == (2, 3, 32, 32)
