"""Table detection and structure recognition on a normalised page; the words come from the injected reader.

``lines`` finds ruling lines and shaded bands, ``textlines`` groups OCR words into lines and phrases,
``cues`` finds regions drawn on the page (rule grids, rule stacks, band stacks), ``segment`` decides where
the tables are (adding plain, column-aligned text blocks), ``region`` is what both hand on, ``grid``
(bordered) and ``borderless`` (ruled, zebra, plain) turn one region into rows, columns, spans and the words
of each cell (``skeleton``), ``header`` counts the header rows, ``unionfind`` joins connected pieces.
"""
