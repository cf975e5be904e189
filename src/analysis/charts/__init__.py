"""Figures, one module per report, all on the house template (`charts.theme`)."""
