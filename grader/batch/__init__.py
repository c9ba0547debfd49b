"""Grading a whole class: find the submissions, grade them in parallel, keep every result.

discover.py   SUBMISSIONS (folders, files, Canvas/Moodle exports, zips) → tasks
unpack.py     safe zip extraction (no traversal, no bombs)
gradebook.py  the SQLite gradebook (WAL, one transaction per result, history)
worker.py     the per-submission task: files → Result, in a worker process
pool.py       the local process pool with a per-task guard (hung/dead workers replaced)
dask_executor.py  the same tasks on a Dask cluster
progress.py   a live bar on terminals, plain log lines elsewhere
exports.py    gradebook CSV, Gradescope results.json, Canvas and Moodle CSVs
run.py        the whole `grader grade` run
"""
