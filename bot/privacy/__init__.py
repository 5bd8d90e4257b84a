"""Data rights: export everything about a person, erase it, honour objections, keep nothing
past its retention; `export` and `forget` in chat."""
