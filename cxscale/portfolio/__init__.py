"""The portfolio: use cases as code, their lint and the gates of their lifecycle (docs/portfolio.md)."""

from cxscale.portfolio.gates import (
                                      GateResult,
                                      decide,
                                      idea_to_pilot,
                                      pilot_to_proof,
                                      proof_to_scale,
                                      recommend,
                                      sign_off,
                                      stop,
)
from cxscale.portfolio.lint import Finding, detectability, lint_file, lint_use_case, use_case_files

__all__ = ["Finding", "GateResult", "decide", "detectability", "idea_to_pilot", "lint_file", "lint_use_case",
           "pilot_to_proof", "proof_to_scale", "recommend", "sign_off", "stop", "use_case_files"]
