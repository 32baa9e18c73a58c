"""Progress of the long steps (loading, validating, each question...), as a person watching wants
it: on a terminal one bar with the steps done, the step under way and the time elapsed (tqdm);
elsewhere (a log, a pipe, CI) one plain line per step with the seconds since the start.

>>> import io
>>> out = io.StringIO()
>>> say = Progress(out, total=2, clock=iter([0.0, 0.0, 1.5, 3.25]).__next__)
>>> say("Loading data/telco"); say("Validating"); say.close()
>>> print(out.getvalue(), end="")
kg: Loading data/telco
kg: Validating  (1.5 s)
kg: done in 3.2 s
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

from tqdm import tqdm

__all__ = ["Progress"]


class Progress:
    """Called with a short line before each long step; :meth:`close` when the work is done.

    Parameters
    ----------
    stream
        Where to write (standard error by default).
    total
        How many steps to expect, for the bar's count; past it the bar counts on.
    bar
        Draw a bar (``None``: when ``stream`` is a terminal).
    clock
        Seconds, for tests.
    """

    def __init__(
        self,
        stream: TextIO | None = None,
        *,
        total: int | None = None,
        bar: bool | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.stream = stream if stream is not None else sys.stderr
        self.clock = clock
        self.start = clock()
        self.steps = 0
        self.total = total
        isatty = getattr(self.stream, "isatty", None)
        drawn = bar if bar is not None else bool(isatty and isatty())
        self._bar: tqdm[None] | None = (
            tqdm(
                total=total,
                file=self.stream,
                desc="kg",
                unit="step",
                dynamic_ncols=True,
                bar_format="{desc}: {n_fmt}/{total_fmt} steps |{bar:20}| {elapsed} {postfix}",
                leave=False,
            )
            if drawn
            else None
        )

    def __call__(self, line: str) -> None:
        if self._bar is not None:
            if self.steps:
                self._bar.update(1)
            if self.total is not None and self.steps >= self.total:
                self._bar.total = self.steps + 1
            self._bar.set_postfix_str(line)
        else:
            elapsed = self.clock() - self.start
            when = f"  ({elapsed:.1f} s)" if self.steps else ""
            print(f"kg: {line}{when}", file=self.stream, flush=True)
        self.steps += 1

    def close(self) -> None:
        """The work is done: clear the bar, and say how long it all took."""
        elapsed = self.clock() - self.start
        if self._bar is not None:
            self._bar.close()
        print(f"kg: done in {elapsed:.1f} s", file=self.stream, flush=True)
