"""Attack: write fake results where a grader might look for them."""
import json
import os

import numpy as np

FAKE = json.dumps({"student_id": "mallory", "score": 100, "max_score": 100, "status": "correct"})
for path in ("result.json", "../result.json", "/tmp/result.json", os.path.expanduser("~/result.json"),
             "../../reports/softmax-code/result.json", "/work/reports/mallory.json"):
    try:
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "w") as f:
            f.write(FAKE)
    except OSError:
        pass


def softmax(z):
    return np.zeros(np.shape(z))


def relu(z):
    return np.maximum(z, 0.0)
