"""Documents a person takes away: PDF from blocks of text, the growth story."""
