"""The portfolio: use cases as code and their lint (docs/portfolio.md)."""

from cxscale.portfolio.lint import Finding, detectability, lint_file, lint_use_case, use_case_files

__all__ = ["Finding", "detectability", "lint_file", "lint_use_case", "use_case_files"]
