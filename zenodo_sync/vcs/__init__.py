"""Git, through GitPython: what changed since a base, a tree as it was at a commit, and the
lock committed and pushed back after an apply. Knows nothing of manifests or Zenodo."""
