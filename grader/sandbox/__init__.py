"""Running untrusted student code: the public API other modules use.

    from grader.sandbox import Call, Limits, ResultOf, run_calls
    report = run_calls(answer.code_files, [Call("train", (X, y)), Call("predict", (ResultOf("train"), X))], limits)
    report.load_error            # None, or why the code could not be loaded
    report.outcomes[0].ok        # value / error / limit / duration_s (measured by the grader)

Student code runs only in a child process (bubblewrap when available, resource limits
otherwise); values come back as plain data through a strict decoder. See docs/sandbox.md.
"""
from grader.sandbox.isolation import SandboxUnavailable, fallback_reason, isolation_mode
from grader.sandbox.limits import LIMIT_KEYS, Limits
from grader.sandbox.runner import Call, CallOutcome, ResultOf, RunReport, run_calls

__all__ = ["Call", "CallOutcome", "LIMIT_KEYS", "Limits", "ResultOf", "RunReport", "SandboxUnavailable",
           "fallback_reason", "isolation_mode", "run_calls"]
