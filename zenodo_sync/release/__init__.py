"""What `zsync release` needs beside the pipeline: the release event, which dataset and version
the tag names, the CITATION.cff and README rewritten with the new DOI, and the release's assets.
Git (the tag, its archive) is vcs/'s; GitHub's step outputs and job summary are ci/'s
(docs/architecture.md)."""
