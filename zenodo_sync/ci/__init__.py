"""CI extras: GitHub's job summary, step outputs, annotations and the sticky pull-request
comment. They switch on from the environment (GITHUB_ACTIONS), so the same commands run
unchanged in GitLab CI or a shell."""
