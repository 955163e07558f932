"""Inputs: the landing zone and the readers of the files delivered into it."""
