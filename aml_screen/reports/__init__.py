"""Documents for people: PDF reports shared by hit exports and evidence packages."""
