"""XScoreGame (TopCoder SRM 709): the best order for ``x <- x + (x XOR a_i)``."""
