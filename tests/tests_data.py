"""The probe's committed files, read once."""
from pathlib import Path

DATA = Path(__file__).resolve().parent / "data"
BOMB = DATA / "bomb-12000x12000.png"
BOMB_BYTES = BOMB.read_bytes()
