"""Table detection and structure recognition on a normalised page.

``lines`` finds ruling lines and shaded bands, ``textlines`` groups OCR words into lines and phrases,
``missed`` re-reads glyphs the page OCR pass skipped, ``segment`` decides where the tables are, ``grid``
(bordered) and ``borderless`` (ruled, zebra, plain) turn one region into rows, columns, spans and the words
of each cell (``skeleton``), ``header`` counts the header rows.
"""
