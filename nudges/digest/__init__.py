"""The weekly follow digest: counts and links about the communities a person follows.

`nudges.digest.card` says what a digest shows; `nudges.digest.job` decides who gets one
this hour and queues it.
"""
