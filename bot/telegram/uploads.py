"""Stored rows made ready for Telegram: a chart drawn as the photo, a text as the file."""

from __future__ import annotations

import asyncio

from telegram import InputFile

from bot.render import charts


def as_document_upload(params: dict) -> dict:
    """A sendDocument row's parameters with its stored text as the file to upload."""
    if "document_text" not in params:
        return params
    ready = {k: v for k, v in params.items() if k not in ("document_text", "document_name")}
    # A CSV gets a byte order mark, so spreadsheets read å, ä, ö right; JSON must not have
    # one (RFC 8259), or parsers refuse the file.
    encoding = "utf-8-sig" if params["document_name"].endswith(".csv") else "utf-8"
    content = params["document_text"].encode(encoding)
    ready["document"] = InputFile(content, filename=params["document_name"])
    return ready


async def as_photo_upload(params: dict) -> dict:
    """A sendPhoto row's parameters with its chart drawn (in a worker thread) as the photo.
    Raises ChartFailed (only) when the chart cannot be drawn: send the caption as text then."""
    if "chart" not in params:
        return params
    png = await asyncio.to_thread(charts.render_or_fail, params["chart"])
    ready = {name: value for name, value in params.items() if name != "chart"}
    ready["photo"] = InputFile(png, filename="chart.png")
    return ready
