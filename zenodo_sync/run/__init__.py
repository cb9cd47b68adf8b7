"""One run of a zsync command, outside the CLI: options in, a plan or an apply report out.

The CLI parses its options into one `RunOptions`, calls one function of a module here,
prints what the `report` callback is given, and turns the result into an exit code.
Nothing here prints. Each name is imported from the module that holds it:

    options        RunOptions, Kind and Report: what every run takes, where its lines go
    manifests      the project's root, its manifests loaded and checked, the targets chosen
    connection     the backend and the lock for the server the settings name
    changed_since  `--changed-since REF`: the datasets a branch changed, from git
    planning       `zsync plan`: hash, refresh, plan (PlannedRun, plan_project, plan_datasets)
    saved_plans    a plan saved to a file, and applied later only if nothing moved
    offline        `zsync plan --offline`: a base commit against the head, no server asked
    applying       `zsync apply`: a plan carried out and its outcome reported
    binding        `zsync bind`: a key tied in the lock to an existing concept
    releasing      `zsync release`: a release or tag published as a new version
    exporting      `zsync export`: a manifest as `.zenodo.json` or CITATION.cff
    importing      `zsync import`: published records written as manifests and lock entries
    downloading    `zsync download`: one record's files, fetched and verified

For example:

    planned = planning.plan_project(RunOptions(targets=("rose",)), report)
    applying.apply_plan(planned, options, report)

The engine and the HTTP client are imported inside the functions that use them, so
`zsync validate` (which only loads manifests) does not pay for importing them.
"""
