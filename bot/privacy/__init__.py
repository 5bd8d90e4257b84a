"""Data rights: export everything about a person, erase it, honour objections."""
