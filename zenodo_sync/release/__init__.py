"""What `zsync release` needs beside the pipeline: the release event, the tag, the git
archive of the tagged tree, the CITATION.cff and README rewritten with the new DOI, the
release's assets, and GitHub's step outputs and job summary (docs/architecture.md)."""
