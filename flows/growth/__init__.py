"""The growth story for the yearly review (/growth): a period, the stories in it, a PDF."""
