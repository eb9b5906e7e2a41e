"""The shared GAN core: objectives, networks, the training loop, data, metrics and the Hub."""
