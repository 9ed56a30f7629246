"""The pair interview (``/pair``): a colleague asks the questions, the story is the teller's."""
