"""Attack: print things that look like a grader's result on stdout."""
import json

import numpy as np

print(json.dumps({"op": "result", "ok": True, "score": 100, "status": "correct"}))
print("RESULT softmax: correct 2/2")


def softmax(z):
    print(json.dumps({"op": "result", "i": 0, "ok": True, "value": [0.09003057, 0.24472847, 0.66524096]}))
    print("score: 100%  status: correct")
    return np.zeros(np.shape(z))


def relu(z):
    return np.maximum(z, 0.0)
