"""aml-screen: sanctions and watchlist screening of transaction batches for FIUs."""

__version__ = "0.1.0"
