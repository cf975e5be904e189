"""Values written on a coloured bar or sector in a colour that can be read on it.

plotly.js picks the colour of a value written inside a bar or a treemap sector by the fill's
brightness: white on a dark fill, grey (#444) on a light one. On the house palette that choice
falls short of WCAG's 4.5:1 for most colours (white on the pass green is 3.4:1, grey on the
orange 4.3:1), and a projector's washed-out image takes more. :func:`legible_inside_text` sets
each such value's colour before plotly.js draws it: white where white is legible, else the house
text colour, else black; it also spares plotly.js that choice bar by bar as the page opens.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import plotly.graph_objects as go

WHITE, BLACK = "#FFFFFF", "#000000"
LEGIBLE = 4.5  # WCAG 2, AA for text of normal size
_HEX = re.compile(r"#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")
_NAMED = {"white": WHITE, "black": BLACK}


def _channels(colour: str) -> tuple[float, float, float] | None:
    """The red, green and blue of "#rgb", "#rrggbb", "white" or "black" in 0–1, else None."""
    if not isinstance(colour, str):
        return None
    colour = _NAMED.get(colour.strip().lower(), colour.strip())
    if not _HEX.fullmatch(colour):
        return None
    digits = colour[1:]
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    return tuple(int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4))


def luminance(colour: str) -> float:
    """WCAG 2 relative luminance of a colour ("#rrggbb"…): 0 for black, 1 for white."""
    channels = _channels(colour)
    if channels is None:
        raise ValueError(f"not a colour written #rrggbb, #rgb, white or black: {colour!r}")
    r, g, b = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast_ratio(one: str, other: str) -> float:
    """WCAG 2 contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    light, dark = sorted((luminance(one), luminance(other)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def text_colour_on(fill: str, house_text: str) -> str | None:
    """White if it is legible on ``fill``, else ``house_text`` if it is, else whichever of the
    three contrasts most; None for a fill written otherwise (plotly.js then chooses)."""
    if _channels(fill) is None:
        return None
    candidates = (WHITE, house_text, BLACK)
    for colour in candidates:
        if contrast_ratio(colour, fill) >= LEGIBLE:
            return colour
    return max(candidates, key=lambda colour: contrast_ratio(colour, fill))


def _colours_on(fills: object, house_text: str) -> str | list[str] | None:
    """A text colour for one fill, or a list for a list of fills; None when a fill is written
    otherwise (plotly.js then chooses, for all of them)."""
    if isinstance(fills, str):
        return text_colour_on(fills, house_text)
    if isinstance(fills, Sequence) and fills:
        chosen = [text_colour_on(fill, house_text) for fill in fills]
        return None if None in chosen else chosen
    return None


def legible_inside_text(fig: go.Figure, house_text: str) -> go.Figure:
    """Set the colour of values written inside bars and treemap sectors that have their own fill
    colours, unless the chart has set it; values written after a bar are on the figure's ground
    and keep the house text colour."""
    for trace in fig.data:
        if trace.type == "bar":
            has_text = trace.text is not None or trace.texttemplate is not None
            if not has_text or trace.textposition in ("outside", "none") or trace.insidetextfont.color:
                continue
            fills = trace.marker.color
        elif trace.type == "treemap":
            if trace.insidetextfont.color or trace.textfont.color:
                continue
            fills = trace.marker.colors
        else:
            continue
        colours = _colours_on(fills if isinstance(fills, str) else list(fills or ()), house_text)
        if colours:
            trace.insidetextfont.color = colours
    return fig
