"""The shared dashboard (`cxscale serve`, docs/dashboard.md): a FastAPI app over the portfolio's functions."""

from cxscale.web.app import WebConfig, create_app

__all__ = ["WebConfig", "create_app"]
