"""The naturalness test of ChromaGAN (Vitoria et al. 2020): a blind yes/no judgement of colorizations.

`pool` builds and draws the images, `store` keeps the votes in a database, `results` tallies the
share judged natural per method with a 95 % Wilson interval, `study` ties them together for the UI.
Command line: `python -m naturalness build-pool|results|export --help`.
"""
