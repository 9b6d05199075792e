"""Untrusted text (failing-row values, dbt messages, server answers) made safe to show.

`strip_control` is for terminals and e-mail: no escape sequence from the data can
move the cursor, clear the screen, retitle the window, hide text or inject a line.
`slack_escape` is for Slack mrkdwn and plain text: no mention (`<!channel>`),
link (`<http://evil|click>`) or user ping (`<@U123>`) can come from the data.
"""

from __future__ import annotations

import re

# Escape sequences, removed whole so that their parameters ("2J", "0;title") do
# not remain as litter. A string sequence (OSC, DCS, ...) is removed whole only
# when terminated; otherwise just its introducer goes and the rest stays visible.
# Whatever these leave, _CONTROLS removes: no ESC or C1 character survives.
_ESCAPES = re.compile(
    r"""
      \x1b\[[0-?]*[ -/]*[@-~]?                          # CSI: ESC [ params intermediates final
    | \x9b[0-?]*[ -/]*[@-~]?                            # CSI, 8-bit
    | \x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)   # OSC, DCS, SOS, PM, APC ... BEL or ST
    | \x1b[ -/]*[0-~]?                                  # any other ESC sequence (ESC 7, ESC ( B, ...)
    """,
    re.VERBOSE,
)
_LINE_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
# C0 (but tab and newline, handled above), DEL, C1; bidirectional overrides and
# isolates, which make a terminal show text in an order other than its own.
_CONTROLS = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_SURROGATES = re.compile(r"[\ud800-\udfff]")


def strip_control(text: str, keep_newlines: bool = False) -> str:
    """`text` without control characters and terminal escape sequences.

    Tabs become a space. Line breaks (\\r\\n, \\r, \\n, and the Unicode ones) become
    "\\n" when `keep_newlines`, else a space. Lone surrogates, which no encoder
    accepts, become U+FFFD.
    """
    text = _ESCAPES.sub("", text)
    text = _LINE_BREAKS.sub("\n" if keep_newlines else " ", text)
    text = _CONTROLS.sub("", text.replace("\t", " "))
    return _SURROGATES.sub("\ufffd", text)


def slack_escape(text: str) -> str:
    """`text` for Slack mrkdwn/plain text: control characters stripped, then the
    three characters Slack gives meaning to escaped (& first)."""
    return strip_control(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


__all__ = ["slack_escape", "strip_control"]
