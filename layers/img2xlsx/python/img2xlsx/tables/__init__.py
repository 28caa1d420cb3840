"""Table detection and structure recognition on a normalised page.

``lines`` finds ruling lines and shaded bands, ``textlines`` groups OCR words into lines and phrases,
``segment`` decides where the tables are, ``grid`` and ``borderless`` turn one table region into rows,
columns and spans, ``assemble`` fills the cells with text.
"""
