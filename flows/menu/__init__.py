"""The learning menu: small interventions to choose from, and one matched suggestion."""
