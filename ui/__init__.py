"""All Gradio code: one module per tab, each with `build_tab(ctx)` and optionally a `HEAD` string.

`TABS` lists the tab modules in the order the app shows them.
"""

TABS = ("ui.colorize", "ui.inpaint", "ui.anomaly", "ui.naturalness")
