"""Conversion jobs: the lifecycle (``service``), its names (``keys``), its one engine call (``converter``),
its errors and settings, the two storage ports and their AWS adapters; ``wiring`` assembles them."""
