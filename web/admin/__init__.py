"""Administration pages: accounts, configured watchlists and rule packs."""
