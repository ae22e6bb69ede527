"""Apertium, offline, from the OS packages (`apertium`, `apertium-eng-spa` …).

One long-lived pipeline per language pair, in null-flush mode: segments stream through it separated by NUL
and each comes back NUL-terminated — never a process per segment. Markup travels as Apertium superblanks
(`[<b>]`), the stream format's own way of carrying formatting past the translator, and so do tolk's
protection tokens. Unknown words (`*word`) are recorded and their marks removed.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import signal
import subprocess
from functools import cache
from pathlib import Path

from tolk import languages
from tolk.config import EngineSettings, apertium_installed
from tolk.core import EngineError, Hints, Result, Segment, Usage
from tolk.engines.base import Engine

DEFAULT_DATADIR = Path("/usr/share/apertium")
# Characters with a meaning in Apertium's stream format; literal ones are escaped.
_SPECIAL = re.compile(r"([\[\]{}^$/\\@<>*#~|+])")
# What travels as a superblank: tags, comments, entities, tolk's tokens, line breaks.
_BLANK = re.compile(r"<!--.*?-->|</?[A-Za-z][^<>]*>|&(?:#\d+|#x[0-9A-Fa-f]+|[A-Za-z]+);|⟦\d+⟧|\n+", re.S)
# Output: a superblank, an escaped char, an unknown/error mark on a word, or plain text.
_OUT = re.compile(r"\[((?:\\.|[^\]\\])*)\]|\\(.)|(?<![\w\\])[*#@](\w[\w'-]*)|([^\[\\*#@]+|.)", re.S)


@cache
def installed_modes(datadir: Path = DEFAULT_DATADIR) -> dict[tuple[str, str], Path]:
    """(source tag, target tag) -> mode file, for every installed pair (variants like _US skipped)."""
    modes: dict[tuple[str, str], Path] = {}
    for mode in sorted((datadir / "modes").glob("*-*.mode")):
        src, _, tgt = mode.stem.partition("-")
        if "_" in tgt or "-" in tgt:
            continue
        try:
            modes[(languages.normalize(src), languages.normalize(tgt))] = mode
        except Exception:  # a pair tolk has no tag for is simply not offered
            continue
    return modes


def to_stream(text: str) -> str:
    """Text (maybe HTML) in Apertium's stream format: literal specials escaped, markup as superblanks."""
    text = text.replace("\0", " ")  # NUL frames segments in the pipeline: one inside would misalign all
    out, pos = [], 0
    for m in _BLANK.finditer(text):
        out.append(_SPECIAL.sub(r"\\\1", text[pos : m.start()]))
        out.append("[" + _SPECIAL.sub(r"\\\1", m.group(0)) + "]")
        pos = m.end()
    out.append(_SPECIAL.sub(r"\\\1", text[pos:]))
    return "".join(out)


def from_stream(stream: str) -> tuple[str, list[str]]:
    """Back to text; returns it with the words Apertium marked unknown."""
    out, unknown = [], []
    for m in _OUT.finditer(stream):
        blank, escaped, marked, plain = m.groups()
        if blank is not None:
            out.append(re.sub(r"\\(.)", r"\1", blank, flags=re.S))
        elif escaped is not None:
            out.append(escaped)
        elif marked is not None:
            unknown.append(marked)
            out.append(marked)
        else:
            out.append(plain)
    return "".join(out), unknown


class _Pipeline:
    """One running `apertium` mode in null-flush mode. Batches follow each other through it without a
    gap: the next batch is written while the one before is still being read (a pipeline drained
    between batches leaves its eight stages idle in turn), and each batch reads its own outputs, in
    the order the batches were written."""

    def __init__(self, mode: Path, timeout_s: float) -> None:
        self.mode, self.timeout_s = mode, timeout_s
        self.proc: asyncio.subprocess.Process | None = None
        self.writing = asyncio.Lock()  # one batch writes at a time
        self.read_turn: asyncio.Future[None] | None = None  # done when the batch written last is read
        self.generation = 0  # raised when a process is given up: batches written into it cannot be read
        self.given_up: list[asyncio.subprocess.Process] = []  # killed, to be reaped at close

    def _give_up(self, proc: asyncio.subprocess.Process) -> None:
        """The process is out of step (a batch failed or was cancelled half-way): kill it, and let no
        batch written into it read another's outputs."""
        with contextlib.suppress(ProcessLookupError):  # it may have died already
            os.killpg(proc.pid, signal.SIGKILL)  # every stage, not only the shell that started them
        if self.proc is proc:
            self.proc, self.generation = None, self.generation + 1
            self.given_up.append(proc)

    async def _start(self) -> asyncio.subprocess.Process:
        if self.proc is None or self.proc.returncode is not None:
            script = subprocess.run(
                ["apertium-wblank-mode", "-z", str(self.mode)], capture_output=True, text=True, check=True
            ).stdout
            # $1: generator flags (-g keeps unknown-word marks); $2: tagger flags
            self.proc = await asyncio.create_subprocess_exec(
                "bash",
                "-c",
                script,
                "apertium",
                "-g",
                "",
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.DEVNULL,
                limit=1 << 24,
                start_new_session=True,  # its own process group: given up, all its stages go
            )
        return self.proc

    async def translate(self, texts: list[str]) -> list[str]:
        loop = asyncio.get_running_loop()
        await self.writing.acquire()
        try:
            proc = await self._start()
        except BaseException:
            self.writing.release()
            raise
        assert proc.stdin is not None and proc.stdout is not None
        stdin, stdout = proc.stdin, proc.stdout
        turn, mine, generation = self.read_turn, loop.create_future(), self.generation
        self.read_turn = mine

        async def feed() -> None:
            try:
                for text in texts:
                    # the closing empty superblank ends the last word; without it the NUL does not flush
                    stdin.write(text.encode("utf-8") + b"[]\0")
                    await stdin.drain()
            finally:
                self.writing.release()  # the next batch may follow this one into the pipe

        writer = asyncio.create_task(feed())
        try:
            if turn is not None:
                await asyncio.shield(turn)  # the batch written before this one reads first
            if generation != self.generation:  # a batch before this one failed, and took it along
                raise BrokenPipeError("the pipeline stopped")
            outputs = []
            # a segment that never comes back (a stage that lost its flush) must not hang the run;
            # one deadline moved forward per segment costs less than a timer task per read
            async with asyncio.timeout(self.timeout_s) as deadline:
                for _ in texts:
                    chunk = await stdout.readuntil(b"\0")
                    outputs.append(chunk[:-1].decode("utf-8", errors="replace"))
                    deadline.reschedule(loop.time() + self.timeout_s)
            await writer
        except (TimeoutError, asyncio.IncompleteReadError, BrokenPipeError, ConnectionResetError) as exc:
            writer.cancel()
            self._give_up(proc)
            await proc.wait()
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await writer  # collect its broken pipe, if any
            why = f"no output within {self.timeout_s:g} s" if isinstance(exc, TimeoutError) else str(exc)
            raise EngineError(f"apertium pipeline {self.mode.stem} failed: {why}") from None
        except BaseException:  # cancelled: what this batch wrote is never read, the pipe is out of step
            writer.cancel()
            self._give_up(proc)
            raise
        finally:
            mine.set_result(None)
        return outputs

    async def close(self) -> None:
        for proc in self.given_up:
            if proc.stdin is not None:
                proc.stdin.close()
            await proc.wait()
        self.given_up.clear()
        if self.proc is not None and self.proc.returncode is None:
            assert self.proc.stdin is not None
            self.proc.stdin.close()
            try:
                await asyncio.wait_for(self.proc.wait(), 5)
            except TimeoutError:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.proc.pid, signal.SIGKILL)
                await self.proc.wait()


class ApertiumEngine(Engine):
    kind = "apertium"
    native_terms = False

    def __init__(self, name: str, settings: EngineSettings) -> None:
        super().__init__(name, settings)
        self.datadir = Path(self.settings.options.get("datadir", DEFAULT_DATADIR))
        self._pipelines: dict[tuple[str, str], _Pipeline] = {}

    @property
    def model(self) -> str:
        return self.settings.model or "apertium"

    @property
    def batch_size(self) -> int:
        return 10_000  # one stream; batching only bounds memory

    def pairs(self) -> list[tuple[str, str]]:
        return sorted(installed_modes(self.datadir)) if apertium_installed() else []

    def _mode(self, source: str, target: str) -> Path | None:
        modes = installed_modes(self.datadir)
        return modes.get((source, target)) or modes.get((source.split("-")[0], target.split("-")[0]))

    def supports(self, source: str, target: str) -> bool:
        return apertium_installed() and self._mode(source, target) is not None

    def pair_hint(self) -> str:
        if not apertium_installed():
            return "Apertium is not installed (apt-get install apertium apertium-eng-spa)"
        have = ", ".join(f"{s}->{t}" for s, t in self.pairs()) or "none"
        return f"installed pairs: {have} (apt-get install apertium-XXX-YYY adds more)"

    async def status(self) -> tuple[bool, str]:
        if not apertium_installed():
            return False, "not installed (apt-get install apertium apertium-eng-spa)"
        pairs = self.pairs()
        if not pairs:
            return False, "no language pairs installed"
        return True, "pairs: " + ", ".join(f"{s}->{t}" for s, t in pairs)

    async def _translate_batch(
        self, segments: list[Segment], source: str, target: str, hints: Hints
    ) -> list[Result]:
        mode = self._mode(source, target)
        assert mode is not None  # check_pair ran first
        pipeline = self._pipelines.setdefault((source, target), _Pipeline(mode, self.settings.timeout_s))
        outputs = await pipeline.translate([to_stream(s.text) for s in segments])
        results = []
        for i, (seg, out) in enumerate(zip(segments, outputs, strict=True)):
            text, unknown = from_stream(out)
            usage = Usage(requests=1 if i == 0 else 0)  # one pass through the pipeline per batch
            results.append(Result(seg.id, _keep_edges(seg.text, text), unknown_words=unknown, usage=usage))
        return results

    async def aclose(self) -> None:
        for pipeline in self._pipelines.values():
            await pipeline.close()
        self._pipelines.clear()
        await super().aclose()


def _keep_edges(source: str, text: str) -> str:
    """Apertium trims or adds edge whitespace; the segment keeps the source's."""
    lead = source[: len(source) - len(source.lstrip())]
    trail = source[len(source.rstrip()) :]
    return lead + text.strip() + trail
