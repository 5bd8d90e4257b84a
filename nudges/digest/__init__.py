"""The weekly follow digest: counts and links about the communities a person follows."""
