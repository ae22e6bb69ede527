"""`tolk check --explain ID`: each finding of one record, with the text it concerns marked."""

from __future__ import annotations

from rich.text import Text

from tolk.cli.common import console
from tolk.quality.base import Sample
from tolk.quality.explain import locate
from tolk.quality.policy import Verdict


def show_findings(item_id: str, sample: Sample, verdict: Verdict) -> None:
    console.print(
        f"[bold]{item_id}[/bold]  {sample.src_lang} → {sample.tgt_lang}  "
        f"score {verdict.score:.0f}, {verdict.decision.value}"
    )
    console.print(Text("  source:      ") + Text(sample.source))
    console.print(Text("  translation: ") + Text(sample.target))
    if not verdict.findings:
        console.print("  no findings")
    for finding in verdict.findings:
        console.print(f"  [bold]{finding.check}[/bold] ({finding.severity.value}): {finding.message}")
        for span in locate(finding, sample):
            text = sample.source if span.side == "source" else sample.target
            line = Text(f"    {span.side}[{span.start}:{span.end}]: ")
            line.append(text[: span.start])
            line.append(text[span.start : span.end], style="reverse")
            line.append(text[span.end :])
            console.print(line)
