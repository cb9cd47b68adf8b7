"""Server backends. The engine talks to a Backend; backends never see manifests."""
