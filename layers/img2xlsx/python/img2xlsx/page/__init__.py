"""Load-time preparation of a page: normalise, geometry, orientation, illumination, cleaning for OCR."""
