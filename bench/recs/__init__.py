"""Offline evaluation of the recommender: replay history, rank at cutoffs, score the joins."""
