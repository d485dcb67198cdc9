"""Offline SVG charts (pure Python, no JavaScript, no CDN): the same pictures serve HTML reports, PDFs and the web app.

Each chart function takes plain numbers and labels and returns one self-contained <svg> string:
pareto.pareto_chart, heatmap.heatmap_chart, flow.flow_chart (journey flows), effects (effect with interval),
bars.bar_chart (grouped bars).
"""

from cxscale.charts.bars import bar_chart
from cxscale.charts.effects import EffectRow, effect_chart
from cxscale.charts.flow import Edge, flow_chart
from cxscale.charts.heatmap import heatmap_chart
from cxscale.charts.pareto import pareto_chart

__all__ = ["Edge", "EffectRow", "bar_chart", "effect_chart", "flow_chart", "heatmap_chart", "pareto_chart"]
