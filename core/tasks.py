"""Small asyncio helpers shared by the components' background loops."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from typing import Any


async def cancel_and_wait(task: asyncio.Task[Any] | None) -> None:
    """Cancel a background task and wait until it has finished unwinding."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task


async def every(seconds: float, step: Callable[[], Awaitable[Any]], log: logging.Logger,
                what: str) -> None:
    """Run ``step`` now and then every ``seconds`` until cancelled; a failing step is
    logged (with its traceback unless it is a network or API error) and tried again."""
    from paddock.core.status import APIError

    while True:
        try:
            await step()
        except asyncio.CancelledError:
            raise
        except Exception as e:
            log.warning("%s: %s", what, e, exc_info=not isinstance(e, APIError | OSError))
        await asyncio.sleep(seconds)
