"""Release bundles: what students get instead of solutions/.

A bundle holds the public exercise folders (hidden parts, author mistakes' answers and
choice feedback removed) and, per exercise, a checks file `checks/<id>.json` with
FINGERPRINTS of the reference answers (salted hashes of values quantised at the part's
tolerance, sealed choices), never the answers themselves. `grader check` uses them when
it finds a checks/ folder and no solutions/.

  fingerprint.py  hashing numbers within a tolerance, sealing short texts, the salt
  checksfile.py   the checks file: variants, digest, validation, finding it next to exercises/
  bundle.py       writing a bundle (`grader release`)
  offline.py      grading one part against its fingerprint (used by grader.checking)
"""
