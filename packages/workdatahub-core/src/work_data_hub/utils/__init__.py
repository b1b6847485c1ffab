"""Small cross-cutting helpers with no business meaning: logging, timing, identifiers."""
