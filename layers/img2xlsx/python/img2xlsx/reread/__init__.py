"""Every second look at a table: doubtful cells, garbled numbers, ink the page pass missed.

How much each pass may re-read is decided in one place, :mod:`img2xlsx.reread.budget`.
"""
