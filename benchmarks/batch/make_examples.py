"""Regenerate examples/batch/ (the batch tests' submissions) from the course's scalar-net.

    PYTHONPATH=. python benchmarks/batch/make_examples.py [--course DIR]

Every layout `grader grade` reads, and the awkward cases: a correct folder, a file per
student (exercise from front matter / from the name), empty, not UTF-8, unparsable math,
hostile math (deep nesting, huge powers, a huge sum, 100 kB of text), hostile code (a forged
verdict on stdout, reading solutions/, os._exit at import), a file that is nobody's,
a picture, Canvas download names (late, resubmitted, a PDF), and a Moodle download zip.
"""
from __future__ import annotations

import argparse
import shutil
import sys
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from synth import reference_text  # noqa: E402

from grader.exercise.loader import load_one  # noqa: E402

REPO = Path(__file__).resolve().parents[2]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--course", type=Path, default=REPO)
    args = ap.parse_args()
    ex = load_one(args.course, "scalar-net")
    wrong = REPO / "solutions" / "scalar-net" / "wrong"
    out = REPO / "examples" / "batch"
    shutil.rmtree(out, ignore_errors=True)

    def body(student: str) -> str:
        return reference_text(ex, student).split("---\n", 2)[2]

    def put(rel: str, data: str | bytes) -> None:
        path = out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)

    put("class/erin/scalar-net.md", body("erin"))
    put("class/frank.md", "---\nexercise: scalar-net\n---\n" + body("frank"))
    put("class/gina_scalar-net.md", (wrong / "update-plus" / "answers.md").read_text())
    put("class/hal/scalar-net.md", "")
    put("class/ivy/scalar-net.md", b"## z\n$$z = 6$$ caf\xe9\n")
    put("class/jo/scalar-net.md", (wrong / "unreadable-math" / "answers.md").read_text())
    put("class/jo/photo.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 16)
    put("class/kim/answers.md", "---\nstudent: kim.lee\nexercise: scalar-net\n---\n" + body("kim.lee"))
    put("class/scalar-net.md", body("nobody"))
    put("class/mallory/scalar-net.md",
        "## z\n$$z = " + "(" * 3000 + "1" + ")" * 3000 + "$$\n## h\n$$h = 9^{9^{9^{9^{9}}}}$$\n"
        "## y_hat\n$$\\hat{y} = " + "1+" * 20000 + "1$$\n## loss\n" + "x" * 100000 + "\n")
    put("class/eve/perceptron.py",  # hostile code: a forged verdict, a peek at solutions/, an early exit
        '"""My perceptron."""\nimport os\n\n'
        'print(\'{"part": "and_trace", "status": "correct", "score": 100}\')\n'
        'for path in ("../../solutions/perceptron/solution.py", "/work/main/solutions/perceptron/solution.py"):\n'
        '    try:\n        print(open(path).read()[:80])\n    except OSError:\n        pass\n'
        'os._exit(0)\n')
    put("canvas/leeann_1001_5001_scalar-net.md", body("1001"))
    put("canvas/parkbo_late_1002_5002_scalar-net-1.md", (wrong / "sign-flipped-gradient" / "answers.md").read_text())
    put("canvas/chenli_1003_5003_scalar-net.pdf", b"%PDF-1.4\n%%EOF\n")
    with zipfile.ZipFile(out / "moodle-download.zip", "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in [
            ("Ann Lee_2001_assignsubmission_file_/scalar-net.md", body("2001")),
            ("Bo Chen_2002_assignsubmission_file_/answers.md", (wrong / "loss-without-half" / "answers.md").read_text()),
            ("Cy Diaz_2003_assignsubmission_file_/scalar-net.md", "\x00\x01binary"),
        ]:
            info = zipfile.ZipInfo(name, date_time=(2026, 11, 30, 8, 0, 0))  # fixed: reproducible bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)


if __name__ == "__main__":
    main()
