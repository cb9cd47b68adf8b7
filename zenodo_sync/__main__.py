from zenodo_sync.cli import main

main()
