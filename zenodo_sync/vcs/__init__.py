"""Git, through GitPython: what changed since a base, a file and a tree as they were at a commit,
a tag's date and `git archive`, and the lock committed and pushed back after an apply. Knows
nothing of manifests or Zenodo."""
