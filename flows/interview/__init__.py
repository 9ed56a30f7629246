"""The interview: a story's questions, first contact, long answers."""
